# oslayer:inventory
# What is installed on the packaging machine, for the version's changelog, run by Run Command
# as SYSTEM and sent as it is. Installed updates: Win32_QuickFixEngineering (KB and install
# date) and the Windows Update history's successful installations (QFE misses Defender, drivers
# and superseded cumulative updates). Drivers: Win32_PnPSignedDriver (device, driver version,
# provider). Installed programs: the Uninstall keys of both registry views (64- and 32-bit), with
# name, version and publisher, leaving out what Programs and Features hides too (system
# components and patches of other programs). A value over its limit is shortened with a mark
# (an ellipsis), never a failed inventory. The JSON is gzipped and base64-encoded and, as it
# can exceed Run Command's 4 KB of output, printed in parts: $Part picks which, each line
#   {"v":1,"action":"inventory","part":P,"parts":N,"sha256":<of the whole gzip>,"data":<base64>}
# It fails closed (fail-closed.ps1): anything it cannot read is a probe failure on stderr with a
# non-zero exit and no result line.
param(
    [Parameter(Mandatory = $true)][ValidateRange(0, 63)][int]$Part
)
# oslayer:fail-closed

$updates = New-Object System.Collections.Generic.List[object]
$seenKb = @{}
try {
    foreach ($fix in Get-CimInstance -ClassName Win32_QuickFixEngineering) {
        $kb = ([string]$fix.HotFixID).ToUpper()
        if ($kb -notmatch '^KB\d{5,8}$' -or $seenKb.ContainsKey($kb)) { continue }
        $date = ''
        $parsed = [datetime]::MinValue
        if ([datetime]::TryParse([string]$fix.InstalledOn, [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::None, [ref]$parsed)) {
            $date = $parsed.ToString('yyyy-MM-dd')
        }
        $seenKb[$kb] = $true
        $updates.Add([object[]]@($kb, $date))
    }
} catch {
    Stop-WithProbeFailure 'updates' ($_.Exception.GetBaseException().Message)
}

# IUpdateHistoryEntry: Operation 1 is an installation, ResultCode 2/3 Succeeded(WithErrors); the KB is in the title.
try {
    $searcher = (New-Object -ComObject 'Microsoft.Update.Session').CreateUpdateSearcher()
    $count = $searcher.GetTotalHistoryCount()
    if ($count -gt 0) {
        foreach ($entry in $searcher.QueryHistory(0, $count)) {
            if ($entry.Operation -ne 1 -or ($entry.ResultCode -ne 2 -and $entry.ResultCode -ne 3)) { continue }
            $match = [regex]::Match([string]$entry.Title, '\bKB(\d{5,8})\b')
            if (-not $match.Success) { continue }
            $kb = 'KB' + $match.Groups[1].Value
            if ($seenKb.ContainsKey($kb)) { continue }
            $seenKb[$kb] = $true
            $updates.Add([object[]]@($kb, ([datetime]$entry.Date).ToString('yyyy-MM-dd')))
        }
    }
} catch {
    Stop-WithProbeFailure 'update-history' ($_.Exception.GetBaseException().Message)
}

$drivers = New-Object System.Collections.Generic.List[object]
$seenDriver = @{}
try {
    foreach ($driver in Get-CimInstance -ClassName Win32_PnPSignedDriver) {
        $device = ([string]$driver.DeviceName).Trim()
        $version = ([string]$driver.DriverVersion).Trim()
        if ($device -eq '' -or $version -eq '') { continue }
        $key = "$device`0$version"
        if ($seenDriver.ContainsKey($key)) { continue }
        $seenDriver[$key] = $true
        $drivers.Add([object[]]@((Get-Shortened $device 400), (Get-Shortened $version 100), (Get-Shortened ([string]$driver.DriverProviderName).Trim() 400)))
    }
} catch {
    Stop-WithProbeFailure 'drivers' ($_.Exception.GetBaseException().Message)
}

$programs = New-Object System.Collections.Generic.List[object]
$seen = @{}
try {
    foreach ($view in [Microsoft.Win32.RegistryView]::Registry64, [Microsoft.Win32.RegistryView]::Registry32) {
        $hive = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, $view)
        $uninstall = $hive.OpenSubKey('SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall')
        if ($null -eq $uninstall) { Stop-WithProbeFailure 'programs' "the Uninstall key is missing from the $view view" }
        foreach ($name in $uninstall.GetSubKeyNames()) {
            $entry = $uninstall.OpenSubKey($name)
            if ($null -eq $entry) { continue }
            $display = [string]$entry.GetValue('DisplayName')
            if ($display.Trim() -eq '') { continue }
            if ($entry.GetValue('SystemComponent') -eq 1 -or $entry.GetValue('ParentKeyName')) { continue }
            $version = [string]$entry.GetValue('DisplayVersion')
            $publisher = [string]$entry.GetValue('Publisher')
            $key = "$display`0$version`0$publisher"
            if ($seen.ContainsKey($key)) { continue }
            $seen[$key] = $true
            $programs.Add([object[]]@((Get-Shortened $display.Trim() 400), (Get-Shortened $version.Trim() 100), (Get-Shortened $publisher.Trim() 400)))
        }
    }
} catch {
    Stop-WithProbeFailure 'programs' ($_.Exception.GetBaseException().Message)
}

$json = [ordered]@{ updates = $updates.ToArray(); drivers = $drivers.ToArray(); programs = $programs.ToArray() } | ConvertTo-Json -Compress -Depth 4
$buffer = New-Object System.IO.MemoryStream
$gzip = New-Object System.IO.Compression.GZipStream($buffer, [System.IO.Compression.CompressionMode]::Compress)
$bytes = [System.Text.Encoding]::UTF8.GetBytes($json)
$gzip.Write($bytes, 0, $bytes.Length)
$gzip.Dispose()
$packed = $buffer.ToArray()
$sha256 = [System.Security.Cryptography.SHA256]::Create()
$hash = -join ($sha256.ComputeHash($packed) | ForEach-Object { $_.ToString('x2') })
$data = [Convert]::ToBase64String($packed)
# 3,000 characters of base64 per part keeps each line well under the 4 KB limit.
$partSize = 3000
$parts = [Math]::Max(1, [Math]::Ceiling($data.Length / $partSize))
if ($parts -gt 64) { Stop-WithProbeFailure 'report' "too large to report ($($data.Length) characters packed)" }
if ($Part -ge $parts) { Stop-WithProbeFailure 'report' "part $Part asked for, but there are only $parts" }
$start = $Part * $partSize
$report = [ordered]@{ v = 1; action = 'inventory'; part = $Part; parts = [int]$parts; sha256 = $hash; data = $data.Substring($start, [Math]::Min($partSize, $data.Length - $start)) }
Write-ResultLine $report
exit 0
