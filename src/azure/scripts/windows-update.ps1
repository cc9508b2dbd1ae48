# oslayer:windows-update
# Windows updates on the packaging machine through the Windows Update Agent API, run by Run
# Command as SYSTEM. The bot sends this file as it is; its only inputs are the parameters
# below, each checked by PowerShell before a line of the script runs: the action, one of three
# fixed modes (each mode is a fixed search criteria string here), the KBs a person named as
# optional updates to install and the layer's Exclude KBs (comma-separated KB numbers), the
# index to list from, and for an install the UpdateID (a GUID) a previous search reported.
#
# No mode ever changes the OS release: every search has BrowseOnly=0 (optional updates, such as
# preview cumulative updates and feature updates offered as optional, are left out), and an
# update in the Upgrades category (3689BDC8-B205-4AF4-8D4A-A63924C5E9D5) is never installed,
# whatever the mode or the KBs named. An optional update is installed only when its KB is in
# IncludeKbs. What is left out is reported as "held", with the reason, so the bot can say why.
#
# It prints exactly one compact JSON line, within Run Command's 4,096 bytes in any language
# (titles arrive in the image's language, every non-ASCII character escaped to 6 bytes): the
# search lists as many updates from index Skip as fit, and the bot asks again from where it
# stopped (`from` + the number listed) until it has them all.
#   search  -> {"v":2,"action":"search","mode","total","from","updates":[{"id","kb","title"}],"heldTotal","held":[{"kb","title","reason"}]}
#   install -> {"v":1,"action":"install","id","kb","title","resultCode","hresult","rebootRequired"}
# HRESULTs are Windows Update's own (0x8024xxxx): a failed COM call reaches PowerShell wrapped in
# a MethodInvocationException, whose HResult is PowerShell's; GetBaseException() unwraps it.
# It fails closed (fail-closed.ps1): anything it cannot do is a probe failure on stderr with a
# non-zero exit and no result line, which the bot reads as a failed step, never as "no updates".
param(
    [Parameter(Mandatory = $true)][ValidateSet('search', 'install')][string]$Action,
    [Parameter(Mandatory = $true)][ValidateSet('security', 'software', 'drivers')][string]$Mode,
    [ValidatePattern('^$|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')][string]$UpdateId = '',
    [ValidatePattern('^$|^KB\d{5,8}(,KB\d{5,8}){0,49}$')][string]$IncludeKbs = '',
    [ValidatePattern('^$|^KB\d{5,8}(,KB\d{5,8}){0,49}$')][string]$ExcludeKbs = '',
    [ValidateRange(0, 10000)][int]$Skip = 0
)
# oslayer:fail-closed

# IUpdateSearcher.Search criteria. Category ids: Security Updates 0FA1201D-..., Critical Updates E6CF1350-...
# Every arm has BrowseOnly=0: optional updates are never found by a mode.
$software = "IsInstalled=0 and IsHidden=0 and BrowseOnly=0 and Type='Software'"
$criteria = @{
    security = "$software and CategoryIDs contains '0FA1201D-4330-4FA8-8AE9-B877473B6441' or $software and CategoryIDs contains 'E6CF1350-C01B-414D-A61F-263D14D133B4'"
    software = $software
    drivers  = "$software or IsInstalled=0 and IsHidden=0 and BrowseOnly=0 and Type='Driver'"
}
$optionalCriteria = 'IsInstalled=0 and IsHidden=0 and BrowseOnly=1'
$upgradesCategory = '3689BDC8-B205-4AF4-8D4A-A63924C5E9D5'
$included = @($IncludeKbs -split ',' | Where-Object { $_ })
$excluded = @($ExcludeKbs -split ',' | Where-Object { $_ })
$titleLimit = 120

function Get-KbNumber($update) {
    if ($update.KBArticleIDs.Count -gt 0) { return 'KB' + $update.KBArticleIDs.Item(0) }
    return ''
}

function Test-Upgrade($update) {
    foreach ($category in $update.Categories) {
        if ([string]$category.CategoryID -eq $upgradesCategory) { return $true }
    }
    return $false
}

# Why an update is not installed, or '' when it may be.
function Get-HeldReason($update) {
    $kb = Get-KbNumber $update
    if (Test-Upgrade $update) { return 'upgrade' }
    if ($kb -and $excluded -contains $kb) { return 'excluded' }
    if ($update.BrowseOnly -and -not ($kb -and $included -contains $kb)) { return 'optional' }
    return ''
}

function Get-HResultText($err) {
    $base = $err.Exception.GetBaseException()
    return 'HRESULT 0x{0:X8} {1}' -f $base.HResult, $base.Message
}

function Find-Updates([string]$Criteria) {
    try {
        $found = $searcher.Search($Criteria)
    } catch {
        Stop-WithProbeFailure 'search' (Get-HResultText $_)
    }
    # OperationResultCode: 2 Succeeded, 3 SucceededWithErrors.
    if ($found.ResultCode -ne 2 -and $found.ResultCode -ne 3) { Stop-WithProbeFailure 'search' "result code $($found.ResultCode)" }
    return , $found.Updates
}

try {
    $session = New-Object -ComObject 'Microsoft.Update.Session'
    $session.ClientApplicationID = 'oslayer'
    $searcher = $session.CreateUpdateSearcher()
} catch {
    Stop-WithProbeFailure 'agent' "the Windows Update Agent is not available: $($_.Exception.GetBaseException().Message)"
}

if ($Action -eq 'search') {
    $eligible = New-Object System.Collections.Generic.List[object]
    $held = New-Object System.Collections.Generic.List[object]
    foreach ($found in (Find-Updates $criteria[$Mode]), (Find-Updates $optionalCriteria)) {
        foreach ($update in $found) {
            $entry = [ordered]@{ id = [string]$update.Identity.UpdateID; kb = (Get-KbNumber $update); title = (Get-Shortened ([string]$update.Title) $titleLimit) }
            $reason = Get-HeldReason $update
            if ($reason -eq '') { $eligible.Add($entry) } else { $held.Add([ordered]@{ kb = $entry.kb; title = $entry.title; reason = $reason }) }
        }
    }
    $listed = New-Object System.Collections.Generic.List[object]
    $heldListed = New-Object System.Collections.Generic.List[object]
    $report = [ordered]@{ v = 2; action = 'search'; mode = $Mode; total = $eligible.Count; from = $Skip; updates = @(); heldTotal = $held.Count; held = @() }
    # As many updates from $Skip as fit the budget, then as many held ones as still fit.
    for ($i = $Skip; $i -lt $eligible.Count; $i++) {
        $listed.Add($eligible[$i])
        $report.updates = $listed.ToArray()
        if (-not (Test-ResultLineFits $report)) {
            $listed.RemoveAt($listed.Count - 1)
            $report.updates = $listed.ToArray()
            break
        }
    }
    if ($listed.Count -eq 0 -and $Skip -lt $eligible.Count) { Stop-WithProbeFailure 'report' 'not even one update fits the Run Command output' }
    foreach ($entry in $held) {
        $heldListed.Add($entry)
        $report.held = $heldListed.ToArray()
        if (-not (Test-ResultLineFits $report)) {
            $heldListed.RemoveAt($heldListed.Count - 1)
            $report.held = $heldListed.ToArray()
            break
        }
    }
    Write-ResultLine $report
    exit 0
}

if ($UpdateId -eq '') { Stop-WithProbeFailure 'install' 'no UpdateId given' }
try {
    $found = $searcher.Search("UpdateID='$UpdateId'")
} catch {
    Stop-WithProbeFailure 'install' ('searching for the update: ' + (Get-HResultText $_))
}
if ($found.Updates.Count -ne 1) { Stop-WithProbeFailure 'install' "update $UpdateId is no longer offered" }
$update = $found.Updates.Item(0)
$reason = Get-HeldReason $update
if ($reason -ne '') { Stop-WithProbeFailure 'install' "update $UpdateId is not installed by this script ($reason)" }
$report = [ordered]@{ v = 1; action = 'install'; id = $UpdateId.ToLower(); kb = (Get-KbNumber $update); title = (Get-Shortened ([string]$update.Title) $titleLimit); resultCode = 0; hresult = 0; rebootRequired = $false }
try {
    if (-not $update.EulaAccepted) { $update.AcceptEula() }
    $collection = New-Object -ComObject 'Microsoft.Update.UpdateColl'
    [void]$collection.Add($update)
    $downloader = $session.CreateUpdateDownloader()
    $downloader.Updates = $collection
    $download = $downloader.Download()
    if ($download.ResultCode -ne 2 -and $download.ResultCode -ne 3) {
        $report.resultCode = [int]$download.ResultCode
        $report.hresult = [int]$download.GetUpdateResult(0).HResult
    } else {
        $installer = $session.CreateUpdateInstaller()
        $installer.Updates = $collection
        $result = $installer.Install().GetUpdateResult(0)
        $report.resultCode = [int]$result.ResultCode
        $report.hresult = [int]$result.HResult
        $report.rebootRequired = [bool]$result.RebootRequired
    }
} catch {
    # The update itself failed (download or install threw, e.g. WU_E_INSTALL_NOT_ALLOWED 0x80240016
    # while another installation runs or a restart is pending): its result, reported as orcFailed.
    $report.resultCode = 4
    $report.hresult = [int]$_.Exception.GetBaseException().HResult
}
Write-ResultLine $report
exit 0
