// The local workspace page: a channel, its threads, the composer, modals, the Home tab, a user
// switcher and the sandbox panel (sandbox.js). Everything shown comes from GET /api/state; the
// server pushes a nudge over Server-Sent Events whenever the bot changed something, and the page
// fetches the state again.
import { renderBlocks, renderMessageText } from './blocks.js';
import { coalesced } from './coalesce.js';
import { renderText } from './mrkdwn.js';
import { startSandboxPanel } from './sandbox.js';

/** Slack ts seconds of this page load: older ephemeral messages are not shown again. */
const PAGE_LOADED_AT = Date.now() / 1000;
const $ = (id) => document.getElementById(id);

const ui = {
  session: null,
  user: null,
  state: null,
  /** { type: 'channel', id } or { type: 'home' } */
  place: null,
  /** What the person typed or chose, by scope ("view:<id>" or "msg:<channel>:<ts>"), block and action. */
  drafts: new Map(),
  openThreads: new Set(),
  renderedModal: '',
  renderedHome: '',
};

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.json();
}

function el(tag, className, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const names = {
  user: (id) => (id === ui.session.bot.id ? ui.session.bot.name : ui.session.users.find((u) => u.id === id)?.name),
  channel: (id) => ui.state?.channels.find((c) => c.id === id)?.name ?? ui.session.channels.find((c) => c.id === id)?.name,
};

function toast(text) {
  const note = el('div', 'toast', [text]);
  note.setAttribute('role', 'status');
  $('toasts').append(note);
  setTimeout(() => note.remove(), 6000);
}

function report(outcome) {
  if (outcome && outcome.ok === false) toast(`${ui.session.bot.name} didn't respond (${outcome.error}).`);
}

// ---- drafts: the inputs' values, kept across re-renders as Slack keeps them across view updates:
// only while the updated view has an input with the same block_id and action_id
// (https://api.slack.com/methods/views.update, "Preserving input entry"); the server's
// view.state.values holds what such inputs kept showing when the person had not typed in them.

const draftKey = (scope, blockId, actionId) => `${scope}\u0000${blockId}\u0000${actionId}`;

function inputsFor(scope) {
  const inputs = {};
  for (const [key, value] of ui.drafts) {
    const [s, blockId, actionId] = key.split('\u0000');
    if (s === scope) (inputs[blockId] ??= {})[actionId] = value;
  }
  return inputs;
}

/** Forgets what was typed in inputs the updated view no longer has under the same block_id and action_id. */
function forgetReplacedInputs(scope, blocks) {
  const inputs = new Set(blocks.filter((b) => b.type === 'input' && b.element).map((b) => draftKey(scope, b.block_id, b.element.action_id)));
  for (const key of [...ui.drafts.keys()]) if (key.startsWith(`${scope}\u0000`) && !inputs.has(key)) ui.drafts.delete(key);
}

/** The value an input kept showing across a view update (a view.state.values entry), in the drafts' form. */
function keptValue(entry) {
  if (!entry) return undefined;
  if ('selected_options' in entry) return entry.selected_options.map((o) => o.value);
  if ('selected_option' in entry) return entry.selected_option?.value ?? null;
  if ('selected_user' in entry) return entry.selected_user;
  if ('selected_conversation' in entry) return entry.selected_conversation;
  return entry.value ?? '';
}

function blockContext(scope, source, errors, shown = {}) {
  return {
    names,
    errors,
    people: () => ui.session.users,
    conversations: () => ui.session.channels,
    value: (blockId, actionId) => ui.drafts.get(draftKey(scope, blockId, actionId)) ?? keptValue(shown[blockId]?.[actionId]),
    setValue: (blockId, actionId, value) => ui.drafts.set(draftKey(scope, blockId, actionId), value),
    confirm: askConfirm,
    act: async (block, element, chosen) => {
      const body = { user: ui.user, source, blockId: block.block_id, actionId: element.action_id, chosen, inputs: inputsFor(scope) };
      report(await api('POST', '/api/action', body));
    },
  };
}

// ---- confirm dialogs (a button's `confirm` object)

function askConfirm(confirm) {
  return new Promise((resolve) => {
    const done = (answer) => {
      overlay.remove();
      resolve(answer);
    };
    const danger = confirm.style === 'danger' ? ' danger' : ' primary';
    const dialog = el('div', 'modal confirm', [
      el('header', 'modal-head', [el('h2', 'modal-title', [renderText(confirm.title ?? { type: 'plain_text', text: 'Are you sure?' }, names)])]),
      el('div', 'modal-body', [renderText(confirm.text, names)]),
      el('footer', 'modal-foot', [
        button(confirm.deny?.text ?? 'Cancel', 'btn', () => done(false)),
        button(confirm.confirm?.text ?? 'Yes', `btn${danger}`, () => done(true)),
      ]),
    ]);
    dialog.setAttribute('role', 'alertdialog');
    const overlay = el('div', 'overlay confirm-overlay', [dialog]);
    document.body.append(overlay);
  });
}

function button(text, className, onclick) {
  const b = el('button', className, [text]);
  b.type = 'button';
  b.addEventListener('click', onclick);
  return b;
}

// ---- channel, messages and threads

function time(ts) {
  return new Date(Number(ts.split('.')[0]) * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function message(msg) {
  const isBot = msg.author === ui.session.bot.name;
  const head = el('div', 'msg-head', [el('span', 'author', [msg.author]), isBot ? el('span', 'app-badge', ['APP']) : null, el('time', 'when', [time(msg.ts)])]);
  const scope = `msg:${msg.channel}:${msg.ts}`;
  const body = msg.blocks.length
    ? renderBlocks(msg.blocks, blockContext(scope, { type: 'message', channel: msg.channel, ts: msg.ts }))
    : renderMessageText(msg.text, names);
  const parts = [head, msg.ephemeral ? el('div', 'only-you', ['Only visible to you']) : null, body];
  if (msg.replies.length) {
    const open = ui.openThreads.has(msg.ts);
    const label = `${msg.replies.length} ${msg.replies.length === 1 ? 'reply' : 'replies'}`;
    parts.push(button(open ? `Hide ${label}` : label, 'thread-toggle', () => {
      if (open) ui.openThreads.delete(msg.ts);
      else ui.openThreads.add(msg.ts);
      render();
    }));
    if (open) parts.push(el('div', 'thread', msg.replies.map(message)));
  }
  const article = el('article', `msg${msg.ephemeral ? ' ephemeral' : ''}`, [el('div', 'avatar', [msg.author.slice(0, 1).toUpperCase()]), el('div', 'msg-main', parts)]);
  article.dataset.ts = msg.ts;
  return article;
}

function renderChannel(channel) {
  $('channel-title').textContent = `# ${channel.name}`;
  $('composer-input').setAttribute('aria-label', `Message #${channel.name}`);
  $('composer-input').placeholder = `Message #${channel.name} — try /oslayer help`;
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren(
    ...(channel.messages.length ? channel.messages.map(message) : [el('p', 'empty', ['No messages yet. Type /oslayer help below.'])]),
  );
  if (atBottom) list.scrollTop = list.scrollHeight;
}

// ---- modal (the top of the user's stack) and Home tab

function renderModal(modals) {
  const top = modals.at(-1);
  const signature = top ? JSON.stringify([top.id, top.hash, top.errors, modals.length]) : '';
  if (signature === ui.renderedModal) return;
  ui.renderedModal = signature;
  const root = $('modal-root');
  if (!top) return root.replaceChildren();
  const scope = `view:${top.id}`;
  forgetReplacedInputs(scope, top.blocks);
  const known = new Set(top.blocks.map((b) => b.block_id));
  const stray = Object.entries(top.errors).filter(([blockId]) => !known.has(blockId));
  const submit = async () => report(await api('POST', '/api/submit', { user: ui.user, viewId: top.id, inputs: inputsFor(scope) }));
  const close = async () => report(await api('POST', '/api/close', { user: ui.user, viewId: top.id, inputs: inputsFor(scope) }));
  const titleId = `modal-title-${top.id}`;
  const dialog = el('form', 'modal', [
    el('header', 'modal-head', [
      el('h2', 'modal-title', [renderText(top.title, names)]),
      button('×', 'modal-x', close),
    ]),
    el('div', 'modal-body', [
      ...stray.map(([blockId, text]) => el('div', 'bk-error', [`${blockId}: ${text}`])),
      renderBlocks(top.blocks, blockContext(scope, { type: 'view', viewId: top.id }, top.errors, top.state?.values)),
    ]),
    el('footer', 'modal-foot', [
      button(top.close?.text ?? 'Cancel', 'btn', close),
      top.submit ? el('button', 'btn primary', [top.submit.text]) : null,
    ]),
  ]);
  dialog.querySelector('.modal-x').setAttribute('aria-label', 'Close');
  dialog.querySelector('.modal-title').id = titleId;
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-modal', 'true');
  dialog.setAttribute('aria-labelledby', titleId);
  // Slack's own checks (required fields, number ranges) answer a submission, not the browser's.
  dialog.noValidate = true;
  // Enter in a single-line input does not submit a Slack modal.
  dialog.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.target instanceof HTMLInputElement) e.preventDefault();
  });
  dialog.addEventListener('submit', (e) => {
    e.preventDefault();
    void submit();
  });
  root.replaceChildren(el('div', 'overlay', [dialog]));
}

function renderHome(home) {
  const signature = home ? JSON.stringify([ui.user, home.hash]) : `none:${ui.user}`;
  if (signature === ui.renderedHome) return;
  ui.renderedHome = signature;
  $('home-body').replaceChildren(
    home
      ? renderBlocks(home.blocks, blockContext(`view:${home.id}`, { type: 'view', viewId: home.id }))
      : el('p', 'empty', [`${ui.session.bot.name} hasn't published a Home tab for you yet.`]),
  );
}

// ---- sidebar

function renderSidebar() {
  const items = ui.state.channels.map((c) => {
    const current = ui.place.type === 'channel' && ui.place.id === c.id;
    const b = button(`# ${c.name}`, `nav-item${current ? ' current' : ''}`, () => go({ type: 'channel', id: c.id }));
    if (current) b.setAttribute('aria-current', 'page');
    return b;
  });
  const home = button(`${ui.session.bot.name} · Home`, `nav-item${ui.place.type === 'home' ? ' current' : ''}`, () => go({ type: 'home' }));
  $('nav').replaceChildren(el('div', 'nav-label', ['Channels']), ...items, el('div', 'nav-label', ['Apps']), home);
}

function render() {
  if (!ui.state) return;
  renderSidebar();
  const channel = ui.state.channels.find((c) => c.id === ui.place.id) ?? ui.state.channels[0];
  $('channel-view').hidden = ui.place.type !== 'channel';
  $('home-view').hidden = ui.place.type !== 'home';
  if (ui.place.type === 'channel') renderChannel(channel);
  else renderHome(ui.state.home);
  renderModal(ui.state.modals);
}

// ---- state

const refresh = coalesced(async () => {
  // Ephemeral messages last until the page is reloaded, as in Slack.
  ui.state = await api('GET', `/api/state?user=${encodeURIComponent(ui.user)}&since=${PAGE_LOADED_AT}`);
  render();
});

function go(place) {
  ui.place = place;
  render();
  if (place.type === 'home') void api('POST', '/api/home-opened', { user: ui.user }).then(report);
}

function switchUser(id) {
  ui.user = id;
  ui.renderedModal = '';
  ui.renderedHome = '';
  const url = new URL(location.href);
  url.searchParams.set('user', id);
  history.replaceState(null, '', url);
  void refresh().then(() => ui.place.type === 'home' && go(ui.place));
}

async function boot() {
  ui.session = await api('GET', '/api/session');
  const wanted = new URL(location.href).searchParams.get('user');
  ui.user = ui.session.users.some((u) => u.id === wanted) ? wanted : ui.session.users[0].id;
  ui.place = { type: 'channel', id: ui.session.channels[0].id };

  const switcher = $('user-switcher');
  switcher.replaceChildren(...ui.session.users.map((u) => {
    const option = el('option', '', [`${u.name} — ${u.roleLabel}`]);
    option.value = u.id;
    option.selected = u.id === ui.user;
    return option;
  }));
  switcher.addEventListener('change', () => switchUser(switcher.value));

  $('composer').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $('composer-input');
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    const channel = ui.place.type === 'channel' ? ui.place.id : ui.session.channels[0].id;
    await api('POST', '/api/compose', { user: ui.user, channel, text });
  });

  const sandbox = startSandboxPanel($('sandbox-body'), { sandbox: ui.session.sandbox, api, toast });
  new EventSource('/api/events').addEventListener('message', () => {
    void refresh();
    void sandbox.refresh();
  });
  await refresh();
  document.body.dataset.ready = 'true';
}

void boot();
