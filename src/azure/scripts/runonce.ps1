# oslayer:runonce
# Runs once, or removes, the HKLM RunOnce / RunOnceEx entries the admin confirmed in Slack.
# Nobody signs in to a packaging machine, so a restart alone may never run them.
# Sent as it is through Run Command. Its input arrives only as parameters, never as script text:
#   Action   'run' or 'remove'
#   Entries  base64 of JSON {"entries": [{"view": "64"|"32", "key": "RunOnce"|"RunOnceEx", "name": "..."}]}
# Both are checked here as well as by the bot. An entry that is no longer there is reported as
# missing. A RunOnce value is deleted before its command runs, as Windows does; a RunOnceEx
# entry is handed to Windows' own RunOnceEx processing. A command still running after
# $BudgetMinutes is left running and reported as such.
# Fails closed (fail-closed.ps1).
param(
    [string]$Action = '',
    [string]$Entries = ''
)
# oslayer:fail-closed

$BudgetMinutes = 20

if ('run', 'remove' -notcontains $Action) { Stop-WithProbeFailure 'parameters' 'Action must be run or remove' }
try {
    # An object around the list: Windows PowerShell and PowerShell 7 unroll a top-level JSON array differently.
    $parsed = ConvertFrom-Json -InputObject ([System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($Entries)))
    $requested = @($parsed.entries)
    if ($requested.Count -eq 0) { throw 'no entries were given' }
    foreach ($entry in $requested) {
        if ('64', '32' -notcontains $entry.view -or 'RunOnce', 'RunOnceEx' -notcontains $entry.key -or [string]::IsNullOrEmpty($entry.name)) {
            throw 'an entry is not a RunOnce or RunOnceEx entry of HKLM'
        }
    }
} catch {
    Stop-WithProbeFailure 'parameters' $_.Exception.Message
}

$deadline = (Get-Date).AddMinutes($BudgetMinutes)

function Wait-Command([System.Diagnostics.Process]$Process) {
    $remaining = [int][Math]::Max(0, ($deadline - (Get-Date)).TotalMilliseconds)
    if ($Process.WaitForExit($remaining)) { return [ordered]@{ outcome = 'ran'; exitCode = $Process.ExitCode } }
    return [ordered]@{ outcome = 'still-running'; exitCode = $null }
}

function Start-CommandLine([string]$CommandLine) {
    # cmd /s /c "<line>" runs the line exactly as it is stored, as Windows would.
    $start = New-Object System.Diagnostics.ProcessStartInfo
    $start.FileName = Join-Path $env:windir 'System32\cmd.exe'
    $start.Arguments = '/d /s /c "' + $CommandLine + '"'
    $start.UseShellExecute = $false
    $start.CreateNoWindow = $true
    return [System.Diagnostics.Process]::Start($start)
}

$results = @()
$runOnceExViews = @{}
foreach ($entry in $requested) {
    $result = [ordered]@{ view = [string]$entry.view; key = [string]$entry.key; name = [string]$entry.name; outcome = 'missing'; exitCode = $null }
    try {
        $registryView = if ($entry.view -eq '64') { 'Registry64' } else { 'Registry32' }
        $hklm = [Microsoft.Win32.RegistryKey]::OpenBaseKey('LocalMachine', $registryView)
        $key = $hklm.OpenSubKey("SOFTWARE\Microsoft\Windows\CurrentVersion\$($entry.key)", $true)
        if ($null -ne $key) {
            try {
                $isValue = @($key.GetValueNames()) -contains $entry.name
                $isSubKey = @($key.GetSubKeyNames()) -contains $entry.name
                if ($Action -eq 'remove') {
                    if ($isValue) { $key.DeleteValue($entry.name); $result.outcome = 'removed' }
                    elseif ($isSubKey) { $key.DeleteSubKeyTree($entry.name); $result.outcome = 'removed' }
                } elseif ($entry.key -eq 'RunOnce' -and $isValue) {
                    $commandLine = [string]$key.GetValue($entry.name)
                    $key.DeleteValue($entry.name)
                    $waited = Wait-Command (Start-CommandLine ([Environment]::ExpandEnvironmentVariables($commandLine)))
                    $result.outcome = $waited.outcome
                    $result.exitCode = $waited.exitCode
                } elseif ($entry.key -eq 'RunOnceEx' -and ($isValue -or $isSubKey)) {
                    $runOnceExViews[[string]$entry.view] = $true
                    $result.outcome = 'handed-to-windows'
                }
            } finally {
                $key.Close()
            }
        }
    } catch {
        Stop-WithProbeFailure 'runonce' "$($entry.key) entry $($entry.name): $($_.Exception.Message)"
    }
    $results += $result
}

# RunOnceEx has its own processor in iernonce.dll, 64-bit and 32-bit.
foreach ($view in $runOnceExViews.Keys) {
    try {
        $folder = if ($view -eq '64') { 'System32' } else { 'SysWOW64' }
        $start = New-Object System.Diagnostics.ProcessStartInfo
        $start.FileName = Join-Path $env:windir "$folder\rundll32.exe"
        $start.Arguments = 'iernonce.dll,RunOnceExProcess'
        $start.UseShellExecute = $false
        $start.CreateNoWindow = $true
        $waited = Wait-Command ([System.Diagnostics.Process]::Start($start))
        foreach ($result in $results) {
            if ($result.view -eq $view -and $result.key -eq 'RunOnceEx' -and $result.outcome -eq 'handed-to-windows') {
                $result.outcome = $waited.outcome
                $result.exitCode = $waited.exitCode
            }
        }
    } catch {
        Stop-WithProbeFailure 'runonceex' $_.Exception.Message
    }
}

Write-ResultLine ([ordered]@{ v = 1; results = @($results) })
exit 0
