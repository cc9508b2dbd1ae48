/**
 * The one Block Kit validator: Slack's hard limits (DESIGN §2) and the structural rules Slack
 * enforces (which elements each block takes, plain_text-only fields, required fields, option
 * rules, number ranges). Slack answers a view or message that breaks one with `invalid_blocks`
 * (views: `invalid_arguments`) and shows the user nothing, so the tests run every builder
 * through this with worst-case data, and the fake Web API (src/sandbox/slack/web-api.ts) refuses
 * what it finds, as Slack does. Sources: the Block Kit reference at docs.slack.dev/reference/block-kit
 * (blocks, block elements, composition objects) and the surfaces' pages (modals, App Home, messages).
 *
 * Besides the blocks, what a call carries as a whole (messageTextRefusal, viewSizeRefusal):
 * - top-level `text`: chat.update refuses more than 4,000 characters and chat.postMessage more than
 *   40,000 with `msg_too_long` ("Message text is too long"; the chat.update and chat.postMessage
 *   method pages, "text" argument; error names in slack-ruby/slack-api-ref methods/chat/*.json);
 * - a view (views.open, views.push, views.update, views.publish) over 250 kB is `view_too_large`
 *   ("Error returned if the provided view is greater than 250kb", slack-api-ref
 *   methods/views/views.open.json at 00f88b7c); counted here in UTF-8 bytes of its JSON, 1 kB = 1,000 bytes,
 *   the stricter reading;
 * - a confirm dialog's title, text, confirm and deny are plain_text: Slack shows mrkdwn there as
 *   typed, asterisks and backticks included (Block Kit reference, composition objects, "Confirmation
 *   dialog object"; the schema would take mrkdwn for `text`, but it does not render, so it is refused here).
 */
import { SLACK_LIMIT as L } from './blocks.js';

export type SurfaceKind = 'modal' | 'message' | 'home';

/** The methods that carry a message's top-level `text`, and the most characters each takes. */
export const MESSAGE_TEXT_LIMIT = {
  'chat.update': 4000,
  'chat.postMessage': 40_000,
  'chat.postEphemeral': 40_000,
} as const;

/** The most a view may weigh, in bytes of its JSON (views.open and the other views.* methods). */
export const VIEW_BYTES_LIMIT = 250_000;

/** Slack's `msg_too_long` when `text` is longer than `method` takes, else undefined. */
export function messageTextRefusal(text: unknown, method: keyof typeof MESSAGE_TEXT_LIMIT): 'msg_too_long' | undefined {
  return typeof text === 'string' && text.length > MESSAGE_TEXT_LIMIT[method] ? 'msg_too_long' : undefined;
}

/** Slack's `view_too_large` when the view is over 250 kB, else undefined. */
export function viewSizeRefusal(view: unknown): 'view_too_large' | undefined {
  return new TextEncoder().encode(JSON.stringify(view ?? null)).length > VIEW_BYTES_LIMIT ? 'view_too_large' : undefined;
}

/**
 * Every limit a surface meets on its way out, blocks and whole: a message's `text` against the
 * strictest method (chat.update: a task message is updated in place), a view's size. What the
 * tests run every builder through.
 */
export function checkSurfaceLimits(subject: object, kind: SurfaceKind): LimitViolation[] {
  const found = checkBlockKitLimits(subject, kind);
  const root = subject as Json;
  if (kind === 'message' && messageTextRefusal(root['text'], 'chat.update')) {
    found.push({ path: 'text', problem: `The message text is ${String(root['text']).length} characters; chat.update takes at most ${MESSAGE_TEXT_LIMIT['chat.update']}` });
  }
  if (kind !== 'message' && viewSizeRefusal(subject)) found.push({ path: '', problem: `The view is over ${VIEW_BYTES_LIMIT / 1000} kB` });
  return found;
}

export interface LimitViolation {
  /** Where, as a JSON path such as `blocks[3].elements[0].text`. */
  path: string;
  problem: string;
}

type Json = Record<string, unknown>;

const OPTION_CAP: Readonly<Record<string, number>> = {
  static_select: L.selectOptions,
  multi_static_select: L.selectOptions,
  radio_buttons: L.radioOptions,
  checkboxes: L.radioOptions,
  overflow: 5,
};

/** Fewest options each element takes (an overflow menu with one item is refused). */
const OPTION_MIN: Readonly<Record<string, number>> = { static_select: 1, multi_static_select: 1, radio_buttons: 1, checkboxes: 1, overflow: 2 };

const SELECTS = ['static_select', 'multi_static_select', 'users_select', 'multi_users_select', 'conversations_select', 'multi_conversations_select', 'channels_select', 'multi_channels_select', 'external_select', 'multi_external_select'];
const CHOICES = ['radio_buttons', 'checkboxes', 'datepicker', 'timepicker', 'datetimepicker'];

/** Which element types each block takes (Block Kit reference, "Compatible blocks" of each element). */
const ELEMENTS_IN: Readonly<Record<'actions' | 'accessory' | 'input', ReadonlySet<string>>> = {
  actions: new Set(['button', 'overflow', ...SELECTS, ...CHOICES, 'workflow_button', 'rich_text_input']),
  accessory: new Set(['button', 'overflow', 'image', ...SELECTS, ...CHOICES, 'workflow_button']),
  input: new Set(['plain_text_input', 'number_input', 'email_text_input', 'url_text_input', 'file_input', 'rich_text_input', ...SELECTS, ...CHOICES]),
};

const BLOCKS_IN: Readonly<Record<SurfaceKind, ReadonlySet<string>>> = {
  modal: new Set(['section', 'divider', 'header', 'context', 'actions', 'input', 'image', 'rich_text', 'video', 'markdown']),
  home: new Set(['section', 'divider', 'header', 'context', 'actions', 'input', 'image', 'rich_text', 'video', 'markdown']),
  message: new Set(['section', 'divider', 'header', 'context', 'actions', 'input', 'image', 'rich_text', 'video', 'file', 'markdown']),
};

export function checkBlockKitLimits(subject: object, kind: SurfaceKind): LimitViolation[] {
  const found: LimitViolation[] = [];
  const check = new Checker(found);
  const root = subject as Json;
  const blocks = list(root['blocks']);

  if (kind === 'modal') {
    check.text('title', root['title'], { max: L.modalButtonText, what: 'The modal title', plainOnly: true, required: true });
    check.text('submit', root['submit'], { max: L.modalButtonText, what: 'The modal submit', plainOnly: true });
    check.text('close', root['close'], { max: L.modalButtonText, what: 'The modal close', plainOnly: true });
    if (blocks.some((b) => b['type'] === 'input') && !isJson(root['submit'])) {
      check.report('submit', 'A modal with input blocks needs a submit button');
    }
  }
  check.length('callback_id', root['callback_id'], L.id, 'The callback_id');
  check.length('private_metadata', root['private_metadata'], L.privateMetadata, 'private_metadata');

  const maxBlocks = kind === 'message' ? L.messageBlocks : L.viewBlocks;
  if (blocks.length > maxBlocks) check.report('blocks', `${blocks.length} blocks; a ${kind} may have at most ${maxBlocks}`);

  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const id = block['block_id'];
    if (typeof id === 'string') {
      if (blockIds.has(id)) check.report(`blocks[${i}].block_id`, `block_id "${id}" is used twice`);
      blockIds.add(id);
    }
    if (!BLOCKS_IN[kind].has(String(block['type']))) check.report(`blocks[${i}].type`, `A ${kind} takes no ${String(block['type'])} block`);
    else check.block(block, `blocks[${i}]`);
  });
  return found;
}

/**
 * Slack's own wording for a refused surface: one `[ERROR] … [json-pointer:/…]` line per problem,
 * as in `response_metadata.messages` of an `invalid_blocks` answer.
 */
export function slackErrorMessages(violations: readonly LimitViolation[]): string[] {
  return violations.map((v) => `[ERROR] ${v.problem} [json-pointer:/${v.path.replace(/\[(\d+)\]/g, '.$1').replace(/\./g, '/')}]`);
}

interface TextRule {
  max: number;
  what: string;
  /** Slack takes only plain_text here (header, label, hint, button, option, placeholder, modal title…). */
  plainOnly?: boolean;
  required?: boolean;
}

class Checker {
  constructor(private readonly found: LimitViolation[]) {}

  report(path: string, problem: string): void {
    this.found.push({ path, problem });
  }

  length(path: string, value: unknown, max: number, what: string): void {
    if (typeof value === 'string' && value.length > max) this.report(path, `${what} is ${value.length} characters; the limit is ${max}`);
  }

  /** A text object: its type, that it is not empty, its length. */
  text(path: string, value: unknown, rule: TextRule): void {
    if (value === undefined) {
      if (rule.required) this.report(path, `${rule.what} is required`);
      return;
    }
    if (!isJson(value)) return this.report(path, `${rule.what} must be a text object`);
    const type = value['type'];
    if (type !== 'plain_text' && type !== 'mrkdwn') this.report(`${path}.type`, `${rule.what} has text type "${String(type)}"; Slack knows plain_text and mrkdwn`);
    else if (rule.plainOnly && type !== 'plain_text') this.report(`${path}.type`, `${rule.what} must be plain_text`);
    const text = value['text'];
    if (typeof text !== 'string' || text.length === 0) this.report(`${path}.text`, `${rule.what} is empty`);
    else this.length(`${path}.text`, text, rule.max, rule.what);
  }

  block(b: Json, path: string): void {
    this.length(`${path}.block_id`, b['block_id'], L.id, 'The block_id');
    switch (b['type']) {
      case 'section': {
        const fields = list(b['fields']);
        if (b['text'] === undefined && fields.length === 0) this.report(path, 'A section needs text or fields');
        if (b['text'] !== undefined) this.text(`${path}.text`, b['text'], { max: L.sectionText, what: 'Section text' });
        if (fields.length > L.sectionFields) this.report(`${path}.fields`, `${fields.length} fields; a section may have at most ${L.sectionFields}`);
        fields.forEach((f, i) => this.text(`${path}.fields[${i}]`, f, { max: L.fieldText, what: 'A section field' }));
        if (isJson(b['accessory'])) this.element(b['accessory'], `${path}.accessory`, 'accessory');
        break;
      }
      case 'header':
        this.text(`${path}.text`, b['text'], { max: L.headerText, what: 'Header text', plainOnly: true, required: true });
        break;
      case 'context': {
        const elements = list(b['elements']);
        if (elements.length === 0) this.report(`${path}.elements`, 'A context block needs at least one element');
        if (elements.length > L.contextElements) this.report(`${path}.elements`, `${elements.length} elements; a context block may have at most ${L.contextElements}`);
        elements.forEach((e, i) => {
          if (e['type'] !== 'image') this.text(`${path}.elements[${i}]`, e, { max: L.sectionText, what: 'Context text' });
        });
        break;
      }
      case 'actions': {
        const elements = list(b['elements']);
        if (elements.length === 0) this.report(`${path}.elements`, 'An actions block needs at least one element');
        if (elements.length > L.actionsElements) this.report(`${path}.elements`, `${elements.length} elements; an actions block may have at most ${L.actionsElements}`);
        const actionIds = new Set<string>();
        elements.forEach((e, i) => {
          const id = e['action_id'];
          if (typeof id === 'string') {
            if (actionIds.has(id)) this.report(`${path}.elements[${i}].action_id`, `action_id "${id}" is used twice in one block`);
            actionIds.add(id);
          }
          this.element(e, `${path}.elements[${i}]`, 'actions');
        });
        break;
      }
      case 'input':
        this.text(`${path}.label`, b['label'], { max: L.labelText, what: 'An input label', plainOnly: true, required: true });
        this.text(`${path}.hint`, b['hint'], { max: L.hintText, what: 'An input hint', plainOnly: true });
        if (isJson(b['element'])) this.element(b['element'], `${path}.element`, 'input');
        else this.report(`${path}.element`, 'An input block needs an element');
        break;
    }
  }

  element(e: Json, path: string, where: keyof typeof ELEMENTS_IN): void {
    const type = String(e['type']);
    if (!ELEMENTS_IN[where].has(type)) this.report(`${path}.type`, `A ${type} cannot go in ${where === 'accessory' ? 'a section accessory' : `an ${where} block`}`);
    this.length(`${path}.action_id`, e['action_id'], L.id, 'The action_id');
    this.text(`${path}.placeholder`, e['placeholder'], { max: L.placeholderText, what: 'A placeholder', plainOnly: true });
    if (type === 'button') {
      this.text(`${path}.text`, e['text'], { max: L.buttonText, what: 'Button text', plainOnly: true, required: true });
      this.length(`${path}.value`, e['value'], L.buttonValue, 'A button value');
      this.length(`${path}.url`, e['url'], L.buttonUrl, 'A button url');
      if (e['style'] !== undefined && e['style'] !== 'primary' && e['style'] !== 'danger') this.report(`${path}.style`, `Button style "${String(e['style'])}" is neither primary nor danger`);
    }
    if (isJson(e['confirm'])) this.confirm(e['confirm'], `${path}.confirm`);
    if (type === 'plain_text_input') {
      const maxLength = typeof e['max_length'] === 'number' ? e['max_length'] : undefined;
      if (maxLength !== undefined && maxLength > L.inputText) this.report(`${path}.max_length`, `max_length ${maxLength} is above Slack's ${L.inputText}`);
      const max = maxLength !== undefined ? Math.min(maxLength, L.inputText) : L.inputText;
      this.length(`${path}.initial_value`, e['initial_value'], max, 'The initial text');
    }
    if (type === 'number_input') this.numberInput(e, path);
    if (type === 'file_input') {
      const maxFiles = e['max_files'];
      if (maxFiles !== undefined && (typeof maxFiles !== 'number' || maxFiles < 1 || maxFiles > 10)) this.report(`${path}.max_files`, 'max_files must be 1–10');
    }
    if (isJson(e['filter'])) this.conversationFilter(e['filter'], `${path}.filter`);
    const cap = OPTION_CAP[type];
    if (cap !== undefined) this.options(e, path, cap, OPTION_MIN[type] ?? 1);
  }

  private options(e: Json, path: string, cap: number, min: number): void {
    const type = String(e['type']);
    const grouped = list(e['option_groups']);
    const options = grouped.length > 0 ? grouped.flatMap((g) => list(g['options'])) : list(e['options']);
    if (options.length < min) this.report(`${path}.options`, `${options.length} options; a ${type} needs at least ${min}`);
    if (options.length > cap) this.report(`${path}.options`, `${options.length} options; a ${type} may have at most ${cap}`);
    // Radio buttons and checkboxes may use mrkdwn option text; menus take plain_text only.
    const plainOnly = type !== 'radio_buttons' && type !== 'checkboxes';
    const values = new Set<string>();
    options.forEach((o, i) => {
      this.text(`${path}.options[${i}].text`, o['text'], { max: L.optionText, what: 'Option text', plainOnly, required: true });
      this.length(`${path}.options[${i}].value`, o['value'], L.optionValue, 'An option value');
      this.text(`${path}.options[${i}].description`, o['description'], { max: L.optionText, what: 'An option description', plainOnly });
      const value = String(o['value']);
      if (values.has(value)) this.report(`${path}.options[${i}].value`, `Option value "${value}" is used twice`);
      values.add(value);
    });
    const initial = e['initial_option'];
    if (isJson(initial) && !options.some((o) => JSON.stringify(o) === JSON.stringify(initial))) {
      this.report(`${path}.initial_option`, 'The initial option is not exactly one of the options');
    }
  }

  /**
   * A conversation list filter (conversations_select): `include` names only im, mpim, private and
   * public, and the filter sets at least one of its three fields (Block Kit reference, composition
   * objects, "Conversation filter object").
   */
  private conversationFilter(f: Json, path: string): void {
    const include = f['include'];
    if (include === undefined && f['exclude_external_shared_channels'] === undefined && f['exclude_bot_users'] === undefined) {
      this.report(path, 'A conversation filter needs include, exclude_external_shared_channels or exclude_bot_users');
    }
    if (include === undefined) return;
    if (!Array.isArray(include) || include.length === 0) return this.report(`${path}.include`, 'include must be a non-empty list');
    include.forEach((kind, i) => {
      if (!['im', 'mpim', 'private', 'public'].includes(String(kind))) this.report(`${path}.include[${i}]`, `include takes im, mpim, private and public, not "${String(kind)}"`);
    });
  }

  private numberInput(e: Json, path: string): void {
    if (typeof e['is_decimal_allowed'] !== 'boolean') this.report(`${path}.is_decimal_allowed`, 'A number_input needs is_decimal_allowed');
    const [initial, min, max] = [e['initial_value'], e['min_value'], e['max_value']].map((v) => (typeof v === 'string' ? Number(v) : undefined));
    if (min !== undefined && max !== undefined && min > max) this.report(`${path}.min_value`, `min_value ${min} is above max_value ${max}`);
    if (initial !== undefined && ((min !== undefined && initial < min) || (max !== undefined && initial > max))) {
      this.report(`${path}.initial_value`, `The initial value ${initial} is outside ${min ?? '-∞'}–${max ?? '∞'}`);
    }
  }

  private confirm(c: Json, path: string): void {
    this.text(`${path}.title`, c['title'], { max: L.confirmTitle, what: 'A confirm dialog title', plainOnly: true, required: true });
    this.text(`${path}.text`, c['text'], { max: L.confirmText, what: 'A confirm dialog text', plainOnly: true, required: true });
    this.text(`${path}.confirm`, c['confirm'], { max: L.confirmButton, what: 'A confirm button', plainOnly: true, required: true });
    this.text(`${path}.deny`, c['deny'], { max: L.confirmButton, what: 'A deny button', plainOnly: true, required: true });
  }
}

function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isJson) : [];
}
