// Block Kit, rendered close to what Slack shows. A block or element this file does not know is
// shown as "[unsupported …]" rather than dropped, so nothing the bot sends goes unseen.
import { emojify, renderMrkdwn, renderText } from './mrkdwn.js';

let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'className') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const plain = (obj) => emojify(String(obj?.text ?? ''));

function unsupported(kind, type) {
  return el('div', { className: 'bk-unsupported', role: 'note' }, [`[unsupported ${kind}: ${type}]`]);
}

function optionsOf(element) {
  return [...(element.options ?? []), ...(element.option_groups ?? []).flatMap((g) => g.options ?? [])];
}

/** Which value an element shows: what the person entered, else the element's initial value. */
function currentValue(ctx, block, element) {
  const entered = ctx.value(block.block_id, element.action_id);
  if (entered !== undefined) return entered;
  if (element.type === 'checkboxes') return (element.initial_options ?? []).map((o) => o.value);
  if (element.type === 'plain_text_input' || element.type === 'number_input') return element.initial_value ?? '';
  return element.initial_option?.value ?? null;
}

/** Sends the action, after the element's confirm dialog when it has one. */
async function trigger(ctx, block, element, chosen) {
  if (element.confirm && !(await ctx.confirm(element.confirm))) return false;
  ctx.act(block, element, chosen);
  return true;
}

function button(ctx, block, element) {
  const style = element.style === 'primary' || element.style === 'danger' ? ` ${element.style}` : '';
  const attrs = { className: `btn${style}`, 'aria-label': element.accessibility_label };
  if (element.url && /^https?:/i.test(element.url)) {
    // A URL button opens the link and still tells the app, as Slack does.
    return el('a', { ...attrs, href: element.url, target: '_blank', rel: 'noopener noreferrer', onclick: () => ctx.act(block, element) }, [plain(element.text)]);
  }
  return el('button', { ...attrs, type: 'button', onclick: () => void trigger(ctx, block, element) }, [plain(element.text)]);
}

/** Selects, radios and checkboxes inside input blocks only report on submit, unless the block dispatches actions. */
function reportsChanges(block) {
  return block.type !== 'input' || block.dispatch_action === true;
}

function staticSelect(ctx, block, element, id) {
  const current = currentValue(ctx, block, element);
  const placeholder = el('option', { value: '', disabled: true, selected: current === null }, [plain(element.placeholder) || 'Select an item']);
  const option = (o) => el('option', { value: o.value, selected: o.value === current }, [plain(o.text)]);
  const groups = (element.option_groups ?? []).map((g) => el('optgroup', { label: plain(g.label) }, (g.options ?? []).map(option)));
  const select = el('select', { id, className: 'bk-select', 'aria-label': block.type === 'input' ? undefined : plain(element.placeholder) || 'Select an item' }, [
    placeholder,
    ...(element.options ?? []).map(option),
    ...groups,
  ]);
  select.addEventListener('change', async () => {
    const previous = currentValue(ctx, block, element);
    ctx.setValue(block.block_id, element.action_id, select.value);
    if (reportsChanges(block) && !(await trigger(ctx, block, element, select.value))) {
      ctx.setValue(block.block_id, element.action_id, previous);
      select.value = previous ?? '';
    }
  });
  return select;
}

function overflow(ctx, block, element) {
  const select = el('select', { className: 'bk-overflow', 'aria-label': 'More actions' }, [
    el('option', { value: '', selected: true }, ['⋯']),
    ...optionsOf(element).map((o) => el('option', { value: o.value }, [plain(o.text)])),
  ]);
  select.addEventListener('change', () => {
    const chosen = select.value;
    select.value = '';
    if (chosen) void trigger(ctx, block, element, chosen);
  });
  return select;
}

function choiceList(ctx, block, element, multiple) {
  const name = nextId('choice');
  const current = currentValue(ctx, block, element);
  const chosen = () => [...group.querySelectorAll('input:checked')].map((i) => i.value);
  const group = el('div', { className: 'bk-choices', role: multiple ? 'group' : 'radiogroup' },
    optionsOf(element).map((o) => {
      const checked = multiple ? (current ?? []).includes(o.value) : current === o.value;
      const input = el('input', { type: multiple ? 'checkbox' : 'radio', name, value: o.value, checked });
      input.addEventListener('change', () => {
        const value = multiple ? chosen() : input.value;
        ctx.setValue(block.block_id, element.action_id, value);
        if (reportsChanges(block)) void trigger(ctx, block, element, value);
      });
      return el('label', { className: 'bk-choice' }, [input, ' ', renderText(o.text, ctx.names), o.description ? el('span', { className: 'bk-hint' }, [renderText(o.description, ctx.names)]) : null]);
    }));
  return group;
}

function textInput(ctx, block, element, id) {
  const number = element.type === 'number_input';
  const multiline = element.multiline === true;
  const input = el(multiline ? 'textarea' : 'input', {
    id,
    className: 'bk-text',
    type: multiline ? undefined : number ? 'number' : 'text',
    step: number ? (element.is_decimal_allowed ? 'any' : '1') : undefined,
    min: number ? element.min_value : undefined,
    max: number ? element.max_value : undefined,
    minlength: element.min_length,
    maxlength: element.max_length,
    placeholder: element.placeholder ? plain(element.placeholder) : undefined,
    rows: multiline ? 4 : undefined,
  });
  input.value = currentValue(ctx, block, element);
  input.addEventListener('input', () => ctx.setValue(block.block_id, element.action_id, input.value));
  if (block.dispatch_action && !multiline) {
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void trigger(ctx, block, element, input.value);
    });
  }
  return input;
}

function imageElement(element, className) {
  if (!/^https?:/i.test(element.image_url ?? '')) return el('span', { className: 'bk-hint' }, [`[image: ${element.alt_text ?? ''}]`]);
  return el('img', { className, src: element.image_url, alt: element.alt_text ?? '' });
}

function element(ctx, block, e, id) {
  switch (e?.type) {
    case 'button': return button(ctx, block, e);
    case 'static_select': return staticSelect(ctx, block, e, id);
    // The workspace's people are the options, as Slack's user picker offers the workspace's members.
    case 'users_select': return staticSelect(ctx, block, { ...e, options: ctx.people().map((u) => ({ text: { type: 'plain_text', text: u.name }, value: u.id })) }, id);
    // The workspace's channels are the options, with the initial conversation picked as Slack's picker shows it.
    case 'conversations_select': {
      const options = ctx.conversations().map((c) => ({ text: { type: 'plain_text', text: `#${c.name}` }, value: c.id }));
      return staticSelect(ctx, block, { ...e, options, initial_option: options.find((o) => o.value === e.initial_conversation) }, id);
    }
    case 'overflow': return overflow(ctx, block, e);
    case 'radio_buttons': return choiceList(ctx, block, e, false);
    case 'checkboxes': return choiceList(ctx, block, e, true);
    case 'plain_text_input':
    case 'number_input': return textInput(ctx, block, e, id);
    case 'image': return imageElement(e, 'bk-accessory-image');
    default: return unsupported('element', e?.type ?? 'none');
  }
}

function section(ctx, block) {
  const main = el('div', { className: 'bk-section-main' }, [
    block.text ? el('div', { className: 'bk-text-body' }, [renderText(block.text, ctx.names)]) : null,
    block.fields?.length ? el('div', { className: 'bk-fields' }, block.fields.map((f) => el('div', { className: 'bk-field' }, [renderText(f, ctx.names)]))) : null,
  ]);
  const accessory = block.accessory ? el('div', { className: 'bk-accessory' }, [element(ctx, block, block.accessory)]) : null;
  return el('div', { className: 'bk-section' }, [main, accessory]);
}

function input(ctx, block) {
  const id = nextId('input');
  const labelText = [plain(block.label), block.optional ? el('span', { className: 'bk-optional' }, [' (optional)']) : null];
  const grouped = block.element?.type === 'radio_buttons' || block.element?.type === 'checkboxes';
  const label = grouped ? el('div', { className: 'bk-label', id: `${id}-label` }, labelText) : el('label', { className: 'bk-label', for: id }, labelText);
  const control = element(ctx, block, block.element, id);
  if (grouped) control.setAttribute('aria-labelledby', `${id}-label`);
  const error = ctx.errors?.[block.block_id];
  return el('div', { className: `bk-input${error ? ' has-error' : ''}` }, [
    label,
    control,
    block.hint ? el('div', { className: 'bk-hint' }, [plain(block.hint)]) : null,
    error ? el('div', { className: 'bk-error', role: 'alert' }, [error]) : null,
  ]);
}

function contextBlock(ctx, block) {
  return el('div', { className: 'bk-context' }, (block.elements ?? []).map((e) => {
    if (e.type === 'image') return imageElement(e, 'bk-context-image');
    if (e.type === 'mrkdwn' || e.type === 'plain_text') return el('span', {}, [renderText(e, ctx.names)]);
    return unsupported('element', e.type);
  }));
}

function block(ctx, b) {
  switch (b?.type) {
    case 'header': return el('h3', { className: 'bk-header' }, [plain(b.text)]);
    case 'section': return section(ctx, b);
    case 'context': return contextBlock(ctx, b);
    case 'divider': return el('hr', { className: 'bk-divider' });
    case 'actions': return el('div', { className: 'bk-actions' }, (b.elements ?? []).map((e) => element(ctx, b, e)));
    case 'input': return input(ctx, b);
    case 'image': return el('figure', { className: 'bk-image' }, [b.title ? el('figcaption', {}, [plain(b.title)]) : null, imageElement(b, 'bk-image-img')]);
    default: return unsupported('block', b?.type ?? 'none');
  }
}

/**
 * Renders a list of blocks. `ctx`: names {user(id), channel(id)}, value(blockId, actionId),
 * setValue(blockId, actionId, value), act(block, element, chosen), confirm(confirmObject) → Promise<boolean>,
 * errors {blockId: text}.
 */
export function renderBlocks(blocks, ctx) {
  return el('div', { className: 'blocks' }, (blocks ?? []).map((b) => block(ctx, b)));
}

/** A message without blocks shows its text as mrkdwn. */
export function renderMessageText(text, names) {
  return el('div', { className: 'bk-text-body' }, [renderMrkdwn(text, names)]);
}
