# The fail-closed contract every oslayer script keeps (read by src/domain/script-output.ts).
# scripts/index.ts puts this file where a script has the line "# oslayer:fail-closed" (after its
# param block), so each script sent through Run Command carries it.
#
# Errors and warnings stop the script: a probe that cannot answer writes
# "oslayer probe failed: <probe>: <error>" to stderr and the script exits 1 without printing a
# result. A script that could answer prints exactly one compact JSON line with Write-ResultLine
# and exits 0. The line is plain ASCII (other characters as \u escapes), so whatever code page the
# console uses it arrives intact and without a byte order mark. Only 64-bit PowerShell runs them:
# a 32-bit one would read HKLM\SOFTWARE through WOW6432Node.
$ErrorActionPreference = 'Stop'
$WarningPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$InformationPreference = 'SilentlyContinue'
$VerbosePreference = 'SilentlyContinue'
$DebugPreference = 'SilentlyContinue'
Set-StrictMode -Version 2.0

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
        Stop-WithProbeFailure $Name $_.Exception.Message
    }
}

# Prints the one result line, or fails if Run Command (4096 bytes of output) would cut it.
function Write-ResultLine([object]$Report) {
    $line = Invoke-Probe 'report' {
        $json = ConvertTo-Json -InputObject $Report -Compress -Depth 4
        [regex]::Replace($json, '[^\x20-\x7E]', { param($match) '\u{0:x4}' -f [int][char]$match.Value })
    }
    if ([System.Text.Encoding]::UTF8.GetByteCount($line) -ge 4000) {
        Stop-WithProbeFailure 'report' 'the result is too long for Run Command'
    }
    [Console]::Out.WriteLine($line)
}

if (-not [Environment]::Is64BitProcess) {
    Stop-WithProbeFailure 'architecture' 'the script runs in a 32-bit PowerShell; it needs the 64-bit one'
}
