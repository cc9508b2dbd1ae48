# oslayer:windows-update
# Windows updates on the packaging machine through the Windows Update Agent API, run by Run
# Command as SYSTEM. The bot sends this file as it is; its only inputs are the parameters
# below, each checked by PowerShell before a line of the script runs: the action, one of three
# fixed modes (each mode is a fixed search criteria string here), and for an install the
# UpdateID (a GUID) a previous search reported. It prints exactly one compact JSON line:
#   search  -> {"v":1,"action":"search","mode":...,"total":N,"updates":[{"id","kb","title"}...]}
#   install -> {"v":1,"action":"install","id","kb","title","resultCode","hresult","rebootRequired"}
# It fails closed (fail-closed.ps1): anything it cannot do is a probe failure on stderr with a
# non-zero exit and no result line, which the bot reads as a failed step, never as "no updates".
param(
    [Parameter(Mandatory = $true)][ValidateSet('search', 'install')][string]$Action,
    [Parameter(Mandatory = $true)][ValidateSet('security', 'software', 'drivers')][string]$Mode,
    [ValidatePattern('^$|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')][string]$UpdateId = ''
)
# oslayer:fail-closed

# IUpdateSearcher.Search criteria. Category ids: Security Updates 0FA1201D-..., Critical Updates E6CF1350-...
$criteria = @{
    security = "IsInstalled=0 and IsHidden=0 and Type='Software' and CategoryIDs contains '0FA1201D-4330-4FA8-8AE9-B877473B6441' or IsInstalled=0 and IsHidden=0 and Type='Software' and CategoryIDs contains 'E6CF1350-C01B-414D-A61F-263D14D133B4'"
    software = "IsInstalled=0 and IsHidden=0 and Type='Software'"
    drivers  = "IsInstalled=0 and IsHidden=0 and Type='Software' or IsInstalled=0 and IsHidden=0 and Type='Driver'"
}
# Run Command keeps 4 KB of output; the bot installs what is listed and searches again.
$listLimit = 15

function Get-KbNumber($update) {
    if ($update.KBArticleIDs.Count -gt 0) { return 'KB' + $update.KBArticleIDs.Item(0) }
    return ''
}

function Get-ShortTitle($update) {
    $title = [string]$update.Title
    if ($title.Length -gt 120) { return $title.Substring(0, 119) + [char]0x2026 }
    return $title
}

function Get-HResultText($err) {
    return 'HRESULT 0x{0:X8} {1}' -f $err.Exception.HResult, $err.Exception.Message
}

try {
    $session = New-Object -ComObject 'Microsoft.Update.Session'
    $session.ClientApplicationID = 'oslayer'
    $searcher = $session.CreateUpdateSearcher()
} catch {
    Stop-WithProbeFailure 'agent' "the Windows Update Agent is not available: $($_.Exception.Message)"
}

if ($Action -eq 'search') {
    try {
        $found = $searcher.Search($criteria[$Mode])
    } catch {
        Stop-WithProbeFailure 'search' (Get-HResultText $_)
    }
    # OperationResultCode: 2 Succeeded, 3 SucceededWithErrors.
    if ($found.ResultCode -ne 2 -and $found.ResultCode -ne 3) { Stop-WithProbeFailure 'search' "result code $($found.ResultCode)" }
    $listed = New-Object System.Collections.Generic.List[object]
    for ($i = 0; $i -lt [Math]::Min($found.Updates.Count, $listLimit); $i++) {
        $update = $found.Updates.Item($i)
        $listed.Add([ordered]@{ id = [string]$update.Identity.UpdateID; kb = (Get-KbNumber $update); title = (Get-ShortTitle $update) })
    }
    $report = [ordered]@{ v = 1; action = 'search'; mode = $Mode; total = [int]$found.Updates.Count; updates = $listed.ToArray() }
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
$report = [ordered]@{ v = 1; action = 'install'; id = $UpdateId.ToLower(); kb = (Get-KbNumber $update); title = (Get-ShortTitle $update); resultCode = 0; hresult = 0; rebootRequired = $false }
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
    # The update itself failed (download or install threw): that is its result, reported as orcFailed.
    $report.resultCode = 4
    $report.hresult = [int]$_.Exception.HResult
}
Write-ResultLine $report
exit 0
