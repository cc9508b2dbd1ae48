# oslayer:integrity-check
# The layer integrity check, run inside the packaging machine through Run Command
# (RunPowerShellScript, as SYSTEM). The bot sends this file as it is: it takes no parameters
# and nothing is ever substituted into it. It prints exactly one compact JSON line and nothing
# else, because the bot reads anything else as "the check failed".
$ErrorActionPreference = 'SilentlyContinue'
$ProgressPreference = 'SilentlyContinue'

function Test-KeyHasValues([string]$Path) {
    $item = Get-Item -LiteralPath $Path
    return ($null -ne $item) -and ($item.ValueCount -gt 0)
}

$sessionManager = 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager'
$renames = @()
foreach ($name in 'PendingFileRenameOperations', 'PendingFileRenameOperations2') {
    $value = (Get-ItemProperty -LiteralPath $sessionManager -Name $name).$name
    if ($value) { $renames += @($value | Where-Object { $_ }) }
}
# Replaced driver files wait in the rename queue; so do files of ordinary installs.
$driverRenames = @($renames | Where-Object { $_ -match '\\drivers\\' })
$otherRenames = @($renames | Where-Object { $_ -notmatch '\\drivers\\' })

# Drivers on the boot disk's path (controller, disk, volume) that say they need a restart
# (problem code 14, CM_PROB_NEED_RESTART).
$bootPathClasses = 'SCSIAdapter', 'HDC', 'DiskDrive', 'Volume', 'VolumeSnapshot', 'StorageVolume'
$bootDevicesNeedRestart = @(Get-CimInstance -ClassName Win32_PnPEntity |
    Where-Object { $_.ConfigManagerErrorCode -eq 14 -and $bootPathClasses -contains $_.PNPClass })
$driverRebootPending = ($bootDevicesNeedRestart.Count -gt 0) -or ($driverRenames.Count -gt 0)

$rebootPending = (Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending') -or
    (Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired') -or
    ($otherRenames.Count -gt 0)

# Windows Installer holds this mutex for as long as an installation runs.
$msiInProgress = $false
try {
    $mutex = [System.Threading.Mutex]::OpenExisting('Global\_MSIExecute')
    $mutex.Dispose()
    $msiInProgress = $true
} catch [System.UnauthorizedAccessException] {
    $msiInProgress = $true
} catch {
    $msiInProgress = $false
}

$ngenInProgress = @(Get-Process -Name 'mscorsvw', 'ngen', 'ngentask').Count -gt 0

# `ngen queue status` reports the .NET Runtime Optimization Service's state; the service is
# read directly here because ngen's text is localized. Since Windows 8, queued work is also run
# by the ".NET Framework NGEN" scheduled tasks (ngen executeQueuedItems).
$ngenServiceBusy = @(Get-Service -Name 'clr_optimization_v*' | Where-Object { $_.Status -ne 'Stopped' }).Count -gt 0
$ngenTasksBusy = @(Get-ScheduledTask -TaskPath '\Microsoft\Windows\.NET Framework\' |
    Where-Object { $_.State -eq 'Running' -or $_.State -eq 'Queued' }).Count -gt 0
$ngenQueued = $ngenServiceBusy -or $ngenTasksBusy

$runOnceKeys = @(
    'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\RunOnce',
    'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\RunOnceEx',
    'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\RunOnce'
)
# Users' own RunOnce entries, for every profile whose registry is loaded.
foreach ($userHive in Get-ChildItem -LiteralPath 'Registry::HKEY_USERS' | Where-Object { $_.PSChildName -match '^S-1-5-21-[\d-]+$' }) {
    $runOnceKeys += "Registry::HKEY_USERS\$($userHive.PSChildName)\Software\Microsoft\Windows\CurrentVersion\RunOnce"
}
$runOnceOutstanding = @($runOnceKeys | Where-Object { (Test-KeyHasValues $_) -or @(Get-ChildItem -LiteralPath $_).Count -gt 0 }).Count -gt 0

$smsCfgPresent = Test-Path -LiteralPath (Join-Path $env:windir 'SMSCFG.INI')

$report = [ordered]@{
    v                  = 1
    driverRebootPending = [bool]$driverRebootPending
    rebootPending      = [bool]$rebootPending
    msiInProgress      = [bool]$msiInProgress
    ngenInProgress     = [bool]$ngenInProgress
    ngenQueued         = [bool]$ngenQueued
    runOnceOutstanding = [bool]$runOnceOutstanding
    smsCfgPresent      = [bool]$smsCfgPresent
}
Write-Output ($report | ConvertTo-Json -Compress)
