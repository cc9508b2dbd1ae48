# The fail-closed contract every oslayer script keeps (read by src/domain/script-output.ts).
# scripts/index.ts puts this file where a script has the line "# oslayer:fail-closed" (after its
# param block), so each script sent through Run Command carries it.
#
# Errors and warnings stop the script: a probe that cannot answer writes
# "oslayer probe failed: <probe>: <error>" to stderr and the script exits 1 without printing a
# result. A script that could answer prints exactly one compact JSON line with Write-ResultLine
# and exits 0. The line is plain ASCII (other characters as \u escapes, 6 bytes each), so whatever
# code page the console uses it arrives intact and without a byte order mark.
$ErrorActionPreference = 'Stop'
$WarningPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$InformationPreference = 'SilentlyContinue'
$VerbosePreference = 'SilentlyContinue'
$DebugPreference = 'SilentlyContinue'
Set-StrictMode -Version 2.0

# Run Command returns only the last 4,096 bytes of output; a result line stays under this many.
$ResultLineBudget = 4000

function Stop-WithProbeFailure([string]$Probe, [string]$Message) {
    $oneLine = ($Message -replace '\s+', ' ').Trim()
    [Console]::Error.WriteLine("oslayer probe failed: ${Probe}: $oneLine")
    exit 1
}

# Runs one probe; any error in it (terminating or not, warnings included) stops the script.
function Invoke-Probe([string]$Name, [scriptblock]$Probe) {
    try {
        return & $Probe
    } catch {
        Stop-WithProbeFailure $Name ($_.Exception.GetBaseException().Message)
    }
}

# The result line exactly as Write-ResultLine prints it (without the line end).
function ConvertTo-ResultLine([object]$Report) {
    $json = ConvertTo-Json -InputObject $Report -Compress -Depth 5
    return [regex]::Replace($json, '[^\x20-\x7E]', { param($match) '\u{0:x4}' -f [int][char]$match.Value })
}

# Whether $Report's line fits the budget, counted in UTF-8 bytes as Run Command counts them.
function Test-ResultLineFits([object]$Report) {
    return [System.Text.Encoding]::UTF8.GetByteCount((ConvertTo-ResultLine $Report)) -lt $ResultLineBudget
}

# A value over its limit, shortened with a mark (an ellipsis) instead of failing the report.
function Get-Shortened([string]$Value, [int]$Limit) {
    if ($Value.Length -le $Limit) { return $Value }
    return $Value.Substring(0, $Limit - 1) + [char]0x2026
}

# Prints the one result line, or fails if Run Command would cut it.
function Write-ResultLine([object]$Report) {
    $line = Invoke-Probe 'report' { ConvertTo-ResultLine $Report }
    if ([System.Text.Encoding]::UTF8.GetByteCount($line) -ge $ResultLineBudget) {
        Stop-WithProbeFailure 'report' 'the result is too long for Run Command'
    }
    [Console]::Out.WriteLine($line)
}

# 64-bit whatever starts it: Microsoft does not document whether Run Command starts the 32-bit or
# the 64-bit Windows PowerShell, and a 32-bit one reads HKLM\SOFTWARE through WOW6432Node and
# System32 through SysWOW64. A 32-bit start runs the same script file again with the 64-bit
# powershell.exe (reached from a 32-bit process as %windir%\sysnative), the same parameters and
# the same output contract: the child's stdout, stderr and exit code are passed on as they are.
# The child sees OSLAYER_STARTED_32BIT=1, so a report can say what it saw.
if (-not [Environment]::Is64BitProcess) {
    $powershell64 = Join-Path $env:windir 'sysnative\WindowsPowerShell\v1.0\powershell.exe'
    if ($env:OSLAYER_STARTED_32BIT -eq '1' -or -not $PSCommandPath -or -not (Test-Path -LiteralPath $powershell64 -PathType Leaf)) {
        Stop-WithProbeFailure 'architecture' 'the script runs in a 32-bit PowerShell and could not start the 64-bit one'
    }
    $arguments = @('-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', "`"$PSCommandPath`"")
    foreach ($name in $PSBoundParameters.Keys) {
        $value = [string]$PSBoundParameters[$name]
        # Every parameter of these scripts is validated to letters, digits and +/=,.-; anything else is refused, never quoted.
        if ($value -notmatch '\A[A-Za-z0-9+/=,.\-]*\z') { Stop-WithProbeFailure 'architecture' "parameter $name cannot be passed to the 64-bit PowerShell" }
        $arguments += "-$name"
        $arguments += "`"$value`""
    }
    $start = New-Object System.Diagnostics.ProcessStartInfo
    $start.FileName = $powershell64
    $start.Arguments = $arguments -join ' '
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.EnvironmentVariables['OSLAYER_STARTED_32BIT'] = '1'
    $child = [System.Diagnostics.Process]::Start($start)
    $childError = $child.StandardError.ReadToEndAsync()
    [Console]::Out.Write($child.StandardOutput.ReadToEnd())
    $child.WaitForExit()
    [Console]::Error.Write($childError.Result)
    exit $child.ExitCode
}
$StartedAs32Bit = $env:OSLAYER_STARTED_32BIT -eq '1'
