// The sandbox panel: what the simulated Azure holds, and for each packaging machine the guest
// state its layer integrity check reads. Ticking a flag makes Shutdown for Finalize refuse, as
// it would on a real machine; clearing it (or Reboot machine, Expedite NGen) lets it through.
// Each machine's Windows Update can be given pending updates, for Install updates to find.
import { el } from './blocks.js';
import { coalesced } from './coalesce.js';

/** While the panel is on screen it also looks every few seconds: machines change power state between bot messages. */
const POLL_MS = 3000;

/** What each flag stands for inside the simulated Windows guest. */
const FLAG_HINTS = {
  driverRebootPending: 'a boot-path driver waits for a restart',
  deviceRestartPending: 'another device waits for a restart',
  rebootPending: 'Windows servicing waits for a restart',
  windowsUpdateRebootRequired: 'Windows Update waits for a restart',
  updateAgentRebootRequired: 'the Windows Update agent asks for a restart',
  fileRenamesPending: 'files are replaced at the next restart',
  computerRenamePending: 'a computer rename waits for a restart',
  domainJoinPending: 'a domain join waits for a restart',
  msiInProgress: 'an MSI package is installing',
  installerInProgress: 'Windows Installer marks an install in progress',
  ngenInProgress: '.NET NGen is compiling',
  ngenQueued: '.NET NGen work is queued (only a drain can tell)',
  ngenTasksDisabled: "NGen's scheduled tasks are disabled (VDI optimisation)",
  powershell32bit: 'Run Command starts scripts in 32-bit PowerShell',
  smsCfgPresent: 'SCCM identity file SMSCFG.INI is present',
  ngenOutlastsBudget: 'NGen outlasts the drain and Expedite NGen (it keeps running)',
  emitWarning: 'the check prints a WARNING line (check fails)',
  bom: 'the output starts with a byte order mark (check fails)',
};

function notRunning(sandbox) {
  const why = sandbox.enabled
    ? 'The simulated Azure has not started. Its packaging machine flags and inventory will show here once it runs.'
    : 'The bot was started without the sandbox (OSLAYER_SANDBOX).';
  return el('p', { className: 'sandbox-off' }, [el('strong', {}, ['Sandbox not running. ']), why]);
}

function resourceItem(r) {
  const type = r.type.split('/').at(-1);
  const facts = [el('span', { title: r.type }, [type]), r.powerState ? ` · ${r.powerState}` : null, r.task ? ` · task ${r.task}` : null];
  return el('li', { className: 'sb-resource' }, [el('span', { className: 'sb-name' }, [r.name]), el('span', { className: 'sb-facts' }, facts)]);
}

function inventory(resources) {
  return el('section', { 'aria-label': 'Inventory' }, [
    el('h3', { className: 'sb-heading' }, ['Inventory']),
    resources.length
      ? el('ul', { className: 'sb-resources', 'aria-label': 'Simulated Azure resources' }, resources.map(resourceItem))
      : el('p', { className: 'sandbox-off' }, ['No resources.']),
  ]);
}

let hintIds = 0;

function guestFlags({ vm, flags }, toggle) {
  // Only the on/off flags get a box; lists and failure modes are set through the control API.
  const boxes = Object.entries(flags).filter(([, on]) => typeof on === 'boolean').map(([flag, on]) => {
    const hintId = `sb-hint-${++hintIds}`;
    const box = el('input', { type: 'checkbox', checked: on, 'aria-describedby': FLAG_HINTS[flag] ? hintId : undefined });
    box.addEventListener('change', () => toggle(vm, flag, box));
    return el('div', { className: 'sb-flag' }, [
      el('label', {}, [box, ' ', el('code', {}, [flag])]),
      FLAG_HINTS[flag] ? el('span', { className: 'bk-hint', id: hintId }, [FLAG_HINTS[flag]]) : null,
    ]);
  });
  return el('fieldset', { className: 'sb-guest' }, [el('legend', {}, [`Guest flags · ${vm}`]), ...boxes]);
}

/** The classifications Windows Update reports; the mode picked in Install updates filters on them. */
const CLASSIFICATIONS = ['Security Updates', 'Critical Updates', 'Updates', 'Update Rollups', 'Drivers'];

function pendingItem(u) {
  const facts = [u.classification, u.rebootRequired ? 'needs a restart' : null, u.fails ? 'fails to install' : null, u.offered ? null : 'appears after a restart'];
  return el('li', { className: 'sb-resource' }, [el('span', { className: 'sb-name' }, [`${u.kb} ${u.title}`]), el('span', { className: 'sb-facts' }, [facts.filter(Boolean).join(' · ')])]);
}

function field(label, control) {
  return el('label', { className: 'sb-flag' }, [label, ' ', control]);
}

function windowsUpdate({ vm, pendingUpdates, installedUpdates }, addUpdate) {
  const kb = el('input', { type: 'text', placeholder: 'KB5041578', size: 12 });
  const title = el('input', { type: 'text', placeholder: '2024-08 Cumulative Update', size: 28 });
  const classification = el('select', {}, CLASSIFICATIONS.map((c) => el('option', { value: c }, [c])));
  const restart = el('input', { type: 'checkbox' });
  const fails = el('input', { type: 'checkbox' });
  const later = el('input', { type: 'checkbox' });
  const add = el('button', { type: 'button' }, ['Add pending update']);
  add.addEventListener('click', () =>
    addUpdate(vm, add, {
      kb: kb.value.trim().toUpperCase(),
      title: title.value.trim() || `Update ${kb.value.trim().toUpperCase()}`,
      classification: classification.value,
      rebootRequired: restart.checked,
      fails: fails.checked,
      appearsAfterRestart: later.checked,
    }),
  );
  return el('fieldset', { className: 'sb-guest' }, [
    el('legend', {}, [`Windows Update · ${vm}`]),
    pendingUpdates.length
      ? el('ul', { className: 'sb-resources', 'aria-label': `Pending updates on ${vm}` }, pendingUpdates.map(pendingItem))
      : el('p', { className: 'sandbox-off' }, ['No pending updates.']),
    el('p', { className: 'bk-hint' }, [installedUpdates.length ? `Installed: ${installedUpdates.join(', ')}` : 'No updates installed yet.']),
    field('KB number', kb),
    field('Update title', title),
    field('Classification', classification),
    el('div', { className: 'sb-flag' }, [el('label', {}, [restart, ' Needs a restart'])]),
    el('div', { className: 'sb-flag' }, [el('label', {}, [fails, ' Fails to install'])]),
    el('div', { className: 'sb-flag' }, [el('label', {}, [later, ' Appears after a restart'])]),
    add,
  ]);
}

/**
 * Shows the sandbox in `root` and keeps it current. `api(method, path, body)` is the page's JSON
 * helper, `toast(text)` its notice. Returns `refresh()` for the page's change notices.
 */
export function startSandboxPanel(root, { sandbox, api, toast }) {
  if (!sandbox.running) {
    root.replaceChildren(notRunning(sandbox));
    return { refresh: async () => {} };
  }
  let shown = '';

  const toggle = async (vm, flag, box) => {
    box.disabled = true;
    const answer = await api('POST', '/api/sandbox/guest', { vm, flags: { [flag]: box.checked } });
    if (answer.ok === false) toast(`The sandbox refused the change (${answer.error}).`);
    await refresh();
    box.disabled = false;
  };

  const addUpdate = async (vm, button, update) => {
    if (!/^KB\d{5,8}$/.test(update.kb)) return toast('A KB number looks like KB5041578.');
    button.disabled = true;
    const answer = await api('POST', '/api/sandbox/guest', { vm, addPendingUpdate: update });
    if (answer.ok === false) toast(`The sandbox refused the update (${answer.error}).`);
    await refresh();
    button.disabled = false;
  };

  const refresh = coalesced(async () => {
    const snapshot = await api('GET', '/api/sandbox');
    // Unchanged: keep the DOM (and the person's focus) as it is.
    const signature = JSON.stringify(snapshot);
    if (signature === shown) return;
    shown = signature;
    if (snapshot.ok === false) return root.replaceChildren(el('p', { className: 'sandbox-off', role: 'alert' }, [snapshot.error]));
    root.replaceChildren(
      el('p', { className: 'sb-status' }, ['Sandbox running: nothing here is real or billed.']),
      inventory(snapshot.resources),
      ...snapshot.guests.flatMap((g) => [guestFlags(g, toggle), windowsUpdate(g, addUpdate)]),
    );
  });

  setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, POLL_MS);
  void refresh();
  return { refresh };
}
