# oslayer:expedite-ngen
# Runs the queued .NET native image (NGen) work in the foreground: `ngen executeQueuedItems`
# for Framework64 and Framework, .NET 4 then .NET 2. With Mode 'update-force' (only when the
# admin asks for it) it then runs `ngen update /force`, which recompiles every native image
# and can take a long time. Sent as it is through a managed Run Command; its only input is the
# Mode parameter, checked against the two values below.
#
# NGen must never be interrupted: an interrupted run can leave .NET broken. So this script
# never stops ngen. It waits at most $BudgetMinutes in all (well inside the Run Command
# timeout the bot sets, so Azure never has to end the script); when the budget is spent it
# leaves ngen running and reports that it still runs. ngen's own output is read and dropped in
# memory (it would break the one-line result), so the script leaves no file in the layer.
# Fails closed (fail-closed.ps1).
param(
    [string]$Mode = 'queued'
)
# oslayer:fail-closed

$BudgetMinutes = 50

if ('queued', 'update-force' -notcontains $Mode) { Stop-WithProbeFailure 'mode' 'Mode must be queued or update-force' }

$deadline = (Get-Date).AddMinutes($BudgetMinutes)
$steps = @()
try {
    foreach ($runtime in 'v4.0.30319', 'v2.0.50727') {
        foreach ($framework in 'Framework64', 'Framework') {
            $ngen = Join-Path $env:windir "Microsoft.NET\$framework\$runtime\ngen.exe"
            if (-not (Test-Path -LiteralPath $ngen -PathType Leaf)) { continue }
            $steps += , @($ngen, 'executeQueuedItems')
        }
    }
    if ($Mode -eq 'update-force') {
        foreach ($step in @($steps)) { $steps += , @($step[0], 'update /force') }
    }
} catch {
    Stop-WithProbeFailure 'ngen-paths' ($_.Exception.GetBaseException().Message)
}

$ran = @()
foreach ($step in $steps) {
    $ngen = $step[0]
    $arguments = "$($step[1]) /nologo /silent"
    $label = "$(Split-Path -Leaf (Split-Path -Parent (Split-Path -Parent $ngen)))\$(Split-Path -Leaf (Split-Path -Parent $ngen)) $($step[1])"
    try {
        $start = New-Object System.Diagnostics.ProcessStartInfo
        $start.FileName = $ngen
        $start.Arguments = $arguments
        $start.UseShellExecute = $false
        $start.CreateNoWindow = $true
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($start)
        # Drained asynchronously so a full pipe never blocks ngen; nothing is written to disk.
        [void]$process.StandardOutput.ReadToEndAsync()
        [void]$process.StandardError.ReadToEndAsync()
    } catch {
        Stop-WithProbeFailure 'ngen-start' "$label could not start: $($_.Exception.GetBaseException().Message)"
    }
    $remaining = [int][Math]::Max(0, ($deadline - (Get-Date)).TotalMilliseconds)
    if (-not $process.WaitForExit($remaining)) {
        # Still compiling: leave it alone and say so.
        Write-ResultLine ([ordered]@{ v = 1; finished = $false; running = $label; ran = @($ran) })
        exit 0
    }
    # "Compilation failed" for single assemblies is normal and sets a non-zero exit code.
    $ran += $label
}

Write-ResultLine ([ordered]@{ v = 1; finished = $true; running = $null; ran = @($ran) })
exit 0
