# oslayer:integrity-check
# The layer integrity check, run inside the packaging machine through Run Command
# (RunPowerShellScript, as SYSTEM). The bot sends this file with fail-closed.ps1 in place of the
# marker line below; it takes no parameters and nothing else is ever put into it.
#
# It fails closed (fail-closed.ps1): every probe runs through Invoke-Probe, so an error is never
# read as "nothing pending". Only when every probe answered does it print the one result line
# (report version 3).
# oslayer:fail-closed

$hklm64 = Invoke-Probe 'registry' { [Microsoft.Win32.RegistryKey]::OpenBaseKey('LocalMachine', 'Registry64') }
$hklm32 = Invoke-Probe 'registry' { [Microsoft.Win32.RegistryKey]::OpenBaseKey('LocalMachine', 'Registry32') }

function Test-SubKey([Microsoft.Win32.RegistryKey]$Root, [string]$Path) {
    $key = $Root.OpenSubKey($Path)
    if ($null -eq $key) { return $false }
    $key.Close()
    return $true
}

function Get-RegistryValue([Microsoft.Win32.RegistryKey]$Root, [string]$Path, [string]$Name) {
    $key = $Root.OpenSubKey($Path)
    if ($null -eq $key) { return $null }
    try { return $key.GetValue($Name, $null, 'DoNotExpandEnvironmentNames') } finally { $key.Close() }
}

# Devices that need a restart: the devnode carries DN_NEED_RESTART (0x100) when a started
# device cannot be restarted in place, or problem code 14 (CM_PROB_NEED_RESTART). Devices
# of the storage classes sit on the boot disk's path.
$devices = Invoke-Probe 'devices' {
    $bootPathClasses = 'SCSIAdapter', 'HDC', 'DiskDrive', 'Volume', 'VolumeSnapshot', 'StorageVolume'
    $needRestart = 0x00000100
    $classOf = @{}
    $all = @(Get-PnpDevice)
    foreach ($device in $all) { $classOf[$device.InstanceId] = [string]$device.Class }
    $pending = @{}
    foreach ($property in @($all | Get-PnpDeviceProperty -KeyName 'DEVPKEY_Device_DevNodeStatus', 'DEVPKEY_Device_ProblemCode')) {
        $flagged = switch ($property.KeyName) {
            'DEVPKEY_Device_DevNodeStatus' { ([uint32]$property.Data -band $needRestart) -ne 0 }
            'DEVPKEY_Device_ProblemCode' { [uint32]$property.Data -eq 14 }
        }
        if ($flagged) { $pending[$property.InstanceId] = $true }
    }
    $bootPath = @($pending.Keys | Where-Object { $bootPathClasses -contains $classOf[$_] }).Count -gt 0
    $other = @($pending.Keys | Where-Object { $bootPathClasses -notcontains $classOf[$_] }).Count -gt 0
    @{ bootPath = $bootPath; other = $other }
}

$rebootPending = Invoke-Probe 'servicing' {
    Test-SubKey $hklm64 'SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
}

$windowsUpdateRebootRequired = Invoke-Probe 'windows-update' {
    Test-SubKey $hklm64 'SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
}

$updateAgentRebootRequired = Invoke-Probe 'update-agent' {
    [bool](New-Object -ComObject 'Microsoft.Update.SystemInfo').RebootRequired
}

# Files an installer replaces at the next start. Printer drivers (spool\drivers) wait here too
# but are not restart-bound for the layer.
$fileRenamesPending = Invoke-Probe 'file-renames' {
    $pending = @()
    foreach ($name in 'PendingFileRenameOperations', 'PendingFileRenameOperations2') {
        $value = Get-RegistryValue $hklm64 'SYSTEM\CurrentControlSet\Control\Session Manager' $name
        if ($null -ne $value) { $pending += @($value | Where-Object { $_ -and $_ -notmatch '\\spool\\drivers\\' }) }
    }
    $pending.Count -gt 0
}

$computerRenamePending = Invoke-Probe 'computer-name' {
    $active = Get-RegistryValue $hklm64 'SYSTEM\CurrentControlSet\Control\ComputerName\ActiveComputerName' 'ComputerName'
    $next = Get-RegistryValue $hklm64 'SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName' 'ComputerName'
    if ($null -eq $active -or $null -eq $next) { throw 'the computer name keys are missing' }
    $active -ne $next
}

$domainJoinPending = Invoke-Probe 'domain-join' {
    $netlogon = 'SYSTEM\CurrentControlSet\Services\Netlogon'
    ($null -ne (Get-RegistryValue $hklm64 $netlogon 'JoinDomain')) -or ($null -ne (Get-RegistryValue $hklm64 $netlogon 'AvoidSpnSet'))
}

# Windows Installer holds this mutex while an installation runs. Holding it for a moment
# proves it free; an abandoned mutex (its owner died) is free too.
$msiInProgress = Invoke-Probe 'msi-mutex' {
    $mutex = $null
    if (-not [System.Threading.Mutex]::TryOpenExisting('Global\_MSIExecute', [ref]$mutex)) { return $false }
    try {
        $acquired = $false
        try {
            $acquired = $mutex.WaitOne(0)
        } catch [System.Threading.AbandonedMutexException] {
            $acquired = $true
        }
        if ($acquired) { $mutex.ReleaseMutex() }
        -not $acquired
    } finally {
        $mutex.Dispose()
    }
}

$installerInProgress = Invoke-Probe 'installer-key' {
    Test-SubKey $hklm64 'SOFTWARE\Microsoft\Windows\CurrentVersion\Installer\InProgress'
}

$ngenInProgress = Invoke-Probe 'ngen-processes' {
    $workers = @(Get-Process | Where-Object { 'mscorsvw', 'ngen', 'ngentask' -contains $_.ProcessName })
    $service = @(Get-Service -Name 'clr_optimization_v*' | Where-Object { $_.Status -ne 'Stopped' })
    ($workers.Count + $service.Count) -gt 0
}

# Since Windows 8 deferred .NET 4 work belongs to the "Native Image Task" scheduled tasks
# (learn.microsoft.com, .NET Framework "Native Image Task"). Their state is only a hint: VDI
# optimisation scripts disable them while work is queued, and nothing documents that Windows
# disables them once the queue is empty. Shutdown for Finalize drains the queue itself
# (expedite-ngen.ps1) before this check, so nothing here decides on NGen's queue.
$ngenTasks = Invoke-Probe 'ngen-tasks' {
    $tasks = @(Get-ScheduledTask | Where-Object {
            $_.TaskPath -eq '\Microsoft\Windows\.NET Framework\' -and $_.TaskName -like '.NET Framework NGEN v4.0.30319*'
        })
    if ($tasks.Count -eq 0) { 'absent' }
    elseif (@($tasks | Where-Object { $_.State -ne 'Disabled' }).Count -gt 0) { 'enabled' }
    else { 'disabled' }
}

# HKLM RunOnce and RunOnceEx, in the 64-bit and the 32-bit (WOW6432Node) view. User hives
# are not part of the layer's machine state and are not read.
$runOnce = Invoke-Probe 'runonce' {
    foreach ($view in @(@{ name = '64'; root = $hklm64 }, @{ name = '32'; root = $hklm32 })) {
        foreach ($keyName in 'RunOnce', 'RunOnceEx') {
            $key = $view.root.OpenSubKey("SOFTWARE\Microsoft\Windows\CurrentVersion\$keyName")
            if ($null -eq $key) { continue }
            try {
                $names = @($key.GetValueNames() | Where-Object { $_ -ne '' }) + @($key.GetSubKeyNames())
                foreach ($name in $names) {
                    [ordered]@{ view = $view.name; key = $keyName; name = [string]$name }
                }
            } finally {
                $key.Close()
            }
        }
    }
}

$smsCfgPresent = Invoke-Probe 'smscfg' {
    Test-Path -LiteralPath (Join-Path $env:windir 'SMSCFG.INI') -PathType Leaf
}

$report = [ordered]@{
    v                           = 3
    driverRebootPending         = [bool]$devices.bootPath
    deviceRestartPending        = [bool]$devices.other
    rebootPending               = [bool]$rebootPending
    windowsUpdateRebootRequired = [bool]$windowsUpdateRebootRequired
    updateAgentRebootRequired   = [bool]$updateAgentRebootRequired
    fileRenamesPending          = [bool]$fileRenamesPending
    computerRenamePending       = [bool]$computerRenamePending
    domainJoinPending           = [bool]$domainJoinPending
    msiInProgress               = [bool]$msiInProgress
    installerInProgress         = [bool]$installerInProgress
    ngenInProgress              = [bool]$ngenInProgress
    ngenTasks                   = [string]$ngenTasks
    runOnce                     = @($runOnce)
    smsCfgPresent               = [bool]$smsCfgPresent
    startedAs32Bit              = [bool]$StartedAs32Bit
}
Write-ResultLine $report
exit 0
