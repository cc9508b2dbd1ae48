# oslayer:runonce
# Runs once, or removes, the HKLM RunOnce / RunOnceEx entries the admin confirmed in Slack.
# Nobody signs in to a packaging machine, so a restart alone may never run them.
# Sent as it is through Run Command. Its input arrives only as parameters, never as script text:
#   Action   'run' or 'remove'
#   Entries  base64 of JSON {"entries": [{"view": "64"|"32", "key": "RunOnce"|"RunOnceEx", "name": "..."}]}
# Both are checked here as well as by the bot. An entry that is no longer there is reported as
# missing. They run now, as SYSTEM (Run Command's account), not at a user's logon.
# As Windows runs them: a RunOnce value is deleted before its command runs, except a value whose
# name starts with "!", which is deleted only after its command has run (and kept if it is still
# running). Of RunOnceEx only the confirmed entries run: each confirmed subkey's command values
# in name order, then the subkey is deleted; Windows' own processor (iernonce.dll) is not used,
# because it runs every entry, confirmed or not. A "||dll|function" value is run with rundll32.
# A command still running after $BudgetMinutes is left running and reported as such.
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
    Stop-WithProbeFailure 'parameters' ($_.Exception.GetBaseException().Message)
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

# One confirmed RunOnceEx entry (a subkey): its command values in name order, then the subkey is deleted.
function Invoke-RunOnceExEntry([Microsoft.Win32.RegistryKey]$Parent, [string]$Name, [string]$View) {
    $entryKey = $Parent.OpenSubKey($Name)
    $outcome = [ordered]@{ outcome = 'ran'; exitCode = $null }
    try {
        foreach ($valueName in @($entryKey.GetValueNames() | Where-Object { $_ -ne '' } | Sort-Object)) {
            $command = [Environment]::ExpandEnvironmentVariables([string]$entryKey.GetValue($valueName))
            if ($command.StartsWith('||')) {
                # "||dll|function" (or "||dll|function|arguments"): a DLL entry point, run as rundll32 would.
                $parts = $command.Substring(2).Split('|')
                $folder = if ($View -eq '64') { 'System32' } else { 'SysWOW64' }
                $command = "`"$(Join-Path $env:windir "$folder\rundll32.exe")`" $($parts[0]),$(@($parts | Select-Object -Skip 1) -join ' ')"
            }
            $waited = Wait-Command (Start-CommandLine $command)
            $outcome = $waited
            if ($waited.outcome -ne 'ran') { return $outcome }
        }
    } finally {
        $entryKey.Close()
    }
    $Parent.DeleteSubKeyTree($Name)
    return $outcome
}

$results = @()
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
                    $deleteAfter = ([string]$entry.name).StartsWith('!')
                    if (-not $deleteAfter) { $key.DeleteValue($entry.name) }
                    $waited = Wait-Command (Start-CommandLine ([Environment]::ExpandEnvironmentVariables($commandLine)))
                    if ($deleteAfter -and $waited.outcome -eq 'ran') { $key.DeleteValue($entry.name) }
                    $result.outcome = $waited.outcome
                    $result.exitCode = $waited.exitCode
                } elseif ($entry.key -eq 'RunOnceEx' -and $isSubKey) {
                    $waited = Invoke-RunOnceExEntry $key ([string]$entry.name) ([string]$entry.view)
                    $result.outcome = $waited.outcome
                    $result.exitCode = $waited.exitCode
                }
            } finally {
                $key.Close()
            }
        }
    } catch {
        Stop-WithProbeFailure 'runonce' "$($entry.key) entry $($entry.name): $($_.Exception.GetBaseException().Message)"
    }
    $results += $result
}

Write-ResultLine ([ordered]@{ v = 1; results = @($results) })
exit 0
