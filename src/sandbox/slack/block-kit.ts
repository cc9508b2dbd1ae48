/**
 * The parts of Block Kit the workspace must understand on the server side: the ids Slack fills
 * in, the interactive elements of a block, the state Slack reports for them, the action object
 * a click produces, and the checks Slack makes in the client before a submission reaches the app.
 */

export type Block = Record<string, unknown> & { type: string; block_id?: string };
export type Element = Record<string, unknown> & { type: string; action_id?: string };
export interface BlockOption {
  text: unknown;
  value: string;
  description?: unknown;
}

/** What the page reports for one element: text, a chosen option's value, or several values (checkboxes). */
export type InputValue = string | string[] | null;
/** block_id → action_id → value, for the elements the person touched. */
export type Inputs = Record<string, Record<string, InputValue>>;

type StateEntry =
  | { type: string; value: string | null }
  | { type: string; selected_option: BlockOption | null }
  | { type: string; selected_options: BlockOption[] }
  | { type: string; selected_user: string | null }
  | { type: string; selected_conversation: string | null };
export type StateValues = Record<string, Record<string, StateEntry>>;

const STATEFUL = new Set(['plain_text_input', 'number_input', 'static_select', 'radio_buttons', 'checkboxes', 'users_select', 'conversations_select']);

/**
 * Slack gives every block and element without an id one of its own, and reports those ids in
 * payloads. These are derived from position, so the page and the payloads agree on them.
 */
export function withIds(blocks: unknown): Block[] {
  if (!Array.isArray(blocks)) return [];
  return blocks.map((raw, i) => {
    const block = { ...(raw as Block) };
    block.block_id ??= `blk${i}`;
    if (block.type === 'actions' && Array.isArray(block.elements)) {
      block.elements = (block.elements as Element[]).map((e, j) => ({ ...e, action_id: e.action_id ?? `${block.block_id}-act${j}` }));
    }
    for (const key of ['accessory', 'element'] as const) {
      const e = block[key] as Element | undefined;
      if (e && typeof e === 'object') block[key] = { ...e, action_id: e.action_id ?? `${block.block_id}-${key}` };
    }
    return block;
  });
}

/** The interactive elements of a block (actions elements, a section's accessory, an input's element). */
function elementsOf(block: Block): Element[] {
  if (block.type === 'actions') return (block.elements as Element[] | undefined) ?? [];
  const one = (block.type === 'input' ? block.element : block.type === 'section' ? block.accessory : undefined) as Element | undefined;
  return one ? [one] : [];
}

export function findElement(blocks: Block[], blockId: string, actionId: string): { block: Block; element: Element } | undefined {
  const block = blocks.find((b) => b.block_id === blockId);
  const element = block && elementsOf(block).find((e) => e.action_id === actionId);
  return block && element ? { block, element } : undefined;
}

function optionsOf(element: Element): BlockOption[] {
  const groups = (element.option_groups as Array<{ options: BlockOption[] }> | undefined) ?? [];
  return [...((element.options as BlockOption[] | undefined) ?? []), ...groups.flatMap((g) => g.options)];
}

function optionWithValue(element: Element, value: unknown): BlockOption | null {
  return typeof value === 'string' ? (optionsOf(element).find((o) => o.value === value) ?? null) : null;
}

/** The value an element starts with (Slack reports it in state even when untouched). */
function initialValue(element: Element): InputValue {
  switch (element.type) {
    case 'plain_text_input':
    case 'number_input':
      return typeof element.initial_value === 'string' ? element.initial_value : null;
    case 'checkboxes':
      return ((element.initial_options as BlockOption[] | undefined) ?? []).map((o) => o.value);
    case 'users_select':
      return typeof element.initial_user === 'string' ? element.initial_user : null;
    case 'conversations_select':
      return typeof element.initial_conversation === 'string' ? element.initial_conversation : null;
    default:
      return (element.initial_option as BlockOption | undefined)?.value ?? null;
  }
}

function stateEntry(element: Element, value: InputValue): StateEntry {
  if (element.type === 'checkboxes') {
    const chosen = Array.isArray(value) ? value : [];
    return { type: element.type, selected_options: optionsOf(element).filter((o) => chosen.includes(o.value)) };
  }
  if (element.type === 'static_select' || element.type === 'radio_buttons') {
    return { type: element.type, selected_option: optionWithValue(element, value) };
  }
  // A users_select reports the chosen user's id (Block Kit reference, users_select: selected_user).
  if (element.type === 'users_select') return { type: element.type, selected_user: typeof value === 'string' && value !== '' ? value : null };
  // A conversations_select reports the chosen conversation's id (Block Kit reference, conversations_select: selected_conversation).
  if (element.type === 'conversations_select') return { type: element.type, selected_conversation: typeof value === 'string' && value !== '' ? value : null };
  const text = typeof value === 'string' && value !== '' ? value : null;
  return { type: element.type, value: text };
}

/**
 * `view.state.values` as Slack builds it: every stateful element, with what the person entered,
 * else what it kept showing across a view update (`shown`, preservedState), else its initial value.
 */
export function stateValues(blocks: Block[], inputs: Inputs = {}, shown: StateValues = {}): StateValues {
  const values: StateValues = {};
  for (const block of blocks) {
    for (const element of elementsOf(block)) {
      if (!STATEFUL.has(element.type)) continue;
      const entered = inputs[block.block_id!]?.[element.action_id!];
      const kept = shown[block.block_id!]?.[element.action_id!];
      (values[block.block_id!] ??= {})[element.action_id!] =
        entered === undefined && kept ? kept : stateEntry(element, entered !== undefined ? entered : initialValue(element));
    }
  }
  return values;
}

/** The state a stored view carries (what its inputs show), for stateValues' `shown`. */
export function shownState(view: Record<string, unknown>): StateValues {
  return (view.state as { values?: StateValues } | undefined)?.values ?? {};
}

/** The `actions[0]` Slack sends when a person uses an element; `chosen` is the option value(s) or text. */
export function actionOf(block: Block, element: Element, chosen: InputValue | undefined): Record<string, unknown> {
  const base = { type: element.type, block_id: block.block_id, action_id: element.action_id, action_ts: actionTs() };
  switch (element.type) {
    case 'button':
      return { ...base, text: element.text, ...(element.value !== undefined && { value: element.value }), ...(element.style !== undefined && { style: element.style }) };
    case 'static_select':
    case 'radio_buttons':
    case 'overflow':
      return { ...base, selected_option: optionWithValue(element, chosen) };
    case 'checkboxes':
      return { ...base, selected_options: (stateEntry(element, chosen ?? []) as { selected_options: BlockOption[] }).selected_options };
    case 'users_select':
      return { ...base, selected_user: typeof chosen === 'string' ? chosen : null };
    case 'conversations_select':
      return { ...base, selected_conversation: typeof chosen === 'string' ? chosen : null };
    case 'plain_text_input':
    case 'number_input':
      return { ...base, value: typeof chosen === 'string' ? chosen : null };
    default:
      return base;
  }
}

function actionTs(): string {
  return (Date.now() / 1000).toFixed(6);
}

/** What Slack's client refuses before sending a submission: required inputs left empty, numbers out of range. */
export function clientErrors(blocks: Block[], values: StateValues): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const block of blocks) {
    if (block.type !== 'input' || !block.element) continue;
    const element = block.element as Element;
    const entry = values[block.block_id!]?.[element.action_id!];
    if (!entry) continue;
    if (isEmpty(entry) && block.optional !== true) errors[block.block_id!] = 'Please fill out this required field.';
    if (element.type === 'number_input' && 'value' in entry && entry.value !== null) {
      const problem = numberProblem(element, entry.value);
      if (problem) errors[block.block_id!] = problem;
    }
  }
  return errors;
}

function isEmpty(entry: StateEntry): boolean {
  return (
    ('value' in entry && entry.value === null) ||
    ('selected_option' in entry && entry.selected_option === null) ||
    ('selected_options' in entry && entry.selected_options.length === 0) ||
    ('selected_user' in entry && entry.selected_user === null) ||
    ('selected_conversation' in entry && entry.selected_conversation === null)
  );
}

/**
 * What Slack keeps on screen when a view is replaced (views.update, response_action update):
 * an input whose block_id and action_id (and element type) are in the new view keeps what it
 * showed, whether entered or its old initial value, and the new initial value is not shown
 * (https://api.slack.com/methods/views.update, "Preserving input entry"; reported in
 * slackapi/bolt-python#1064 for an initial_value that views.update did not replace). Inputs with
 * a new block_id start from the new view's initial values. `shown` is the old view's state as
 * last reported (what the person entered); elements missing from it show their initial value.
 */
export function preservedState(before: Block[], shown: StateValues, after: Block[]): StateValues {
  const current = stateValues(before.filter((b) => b.type === 'input'));
  const kept: StateValues = {};
  for (const block of after) {
    if (block.type !== 'input') continue;
    for (const element of elementsOf(block)) {
      const old = findElement(before, block.block_id!, element.action_id!);
      if (!STATEFUL.has(element.type) || old?.block.type !== 'input' || old.element.type !== element.type) continue;
      const entry = shown[block.block_id!]?.[element.action_id!] ?? current[block.block_id!]?.[element.action_id!];
      if (entry && !isEmpty(entry)) (kept[block.block_id!] ??= {})[element.action_id!] = entry;
    }
  }
  return kept;
}

function numberProblem(element: Element, text: string): string | undefined {
  const n = Number(text);
  if (!Number.isFinite(n)) return 'Please enter a number.';
  if (element.is_decimal_allowed !== true && !Number.isInteger(n)) return 'Please enter a whole number.';
  const min = element.min_value === undefined ? undefined : Number(element.min_value);
  const max = element.max_value === undefined ? undefined : Number(element.max_value);
  if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
    return `Please enter a number between ${min ?? '-∞'} and ${max ?? '∞'}.`;
  }
  return undefined;
}
