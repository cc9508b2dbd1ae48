# oslayer:expedite-ngen
# Brings queued .NET native image (NGen) work to the foreground so it finishes sooner, for
# every installed .NET Framework (32- and 64-bit, 2.0 and 4.0 runtimes). Sent as it is through
# Run Command; it takes no input. "Compilation failed" lines for some assemblies are normal.
# It never restarts anything: interrupting NGen can leave .NET broken.
$ErrorActionPreference = 'Continue'
$ProgressPreference = 'SilentlyContinue'

foreach ($framework in 'Framework', 'Framework64') {
    $root = Join-Path $env:windir "Microsoft.NET\$framework"
    foreach ($runtime in Get-ChildItem -LiteralPath $root -Directory -Filter 'v*' | Where-Object { $_.Name -like 'v2.0.*' -or $_.Name -like 'v4.0.*' }) {
        $ngen = Join-Path $runtime.FullName 'ngen.exe'
        if (-not (Test-Path -LiteralPath $ngen)) { continue }
        Write-Output "== $framework\$($runtime.Name)"
        & $ngen update /force /nologo
        & $ngen executeQueuedItems /nologo
    }
}
