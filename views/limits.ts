/**
 * Checks a view or message against Slack's hard limits (DESIGN §2). Slack answers a view
 * or message that breaks one with a bare `invalid_blocks` and shows the user nothing, so
 * the tests run every builder through this with worst-case data.
 */
import { SLACK_LIMIT as L } from './blocks.js';

export type SurfaceKind = 'modal' | 'message' | 'home';

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

export function checkBlockKitLimits(subject: object, kind: SurfaceKind): LimitViolation[] {
  const found: LimitViolation[] = [];
  const check = new Checker(found);
  const root = subject as Json;

  if (kind === 'modal') {
    for (const key of ['title', 'submit', 'close']) check.length(`${key}.text`, textOf(root[key]), L.modalButtonText, `The modal ${key}`);
  }
  check.length('callback_id', root['callback_id'], L.id, 'The callback_id');
  check.length('private_metadata', root['private_metadata'], L.privateMetadata, 'private_metadata');

  const blocks = list(root['blocks']);
  const maxBlocks = kind === 'message' ? L.messageBlocks : L.viewBlocks;
  if (blocks.length > maxBlocks) check.report('blocks', `${blocks.length} blocks; a ${kind} may have at most ${maxBlocks}`);

  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const id = block['block_id'];
    if (typeof id === 'string') {
      if (blockIds.has(id)) check.report(`blocks[${i}].block_id`, `block_id "${id}" is used twice`);
      blockIds.add(id);
    }
    check.block(block, `blocks[${i}]`);
  });
  return found;
}

class Checker {
  constructor(private readonly found: LimitViolation[]) {}

  report(path: string, problem: string): void {
    this.found.push({ path, problem });
  }

  length(path: string, value: unknown, max: number, what: string): void {
    if (typeof value === 'string' && value.length > max) this.report(path, `${what} is ${value.length} characters; the limit is ${max}`);
  }

  block(b: Json, path: string): void {
    this.length(`${path}.block_id`, b['block_id'], L.id, 'The block_id');
    switch (b['type']) {
      case 'section': {
        this.length(`${path}.text.text`, textOf(b['text']), L.sectionText, 'Section text');
        const fields = list(b['fields']);
        if (fields.length > L.sectionFields) this.report(`${path}.fields`, `${fields.length} fields; a section may have at most ${L.sectionFields}`);
        fields.forEach((f, i) => this.length(`${path}.fields[${i}].text`, f['text'], L.fieldText, 'A section field'));
        if (isJson(b['accessory'])) this.element(b['accessory'], `${path}.accessory`);
        break;
      }
      case 'header':
        this.length(`${path}.text.text`, textOf(b['text']), L.headerText, 'Header text');
        break;
      case 'context': {
        const elements = list(b['elements']);
        if (elements.length > L.contextElements) this.report(`${path}.elements`, `${elements.length} elements; a context block may have at most ${L.contextElements}`);
        elements.forEach((e, i) => this.length(`${path}.elements[${i}].text`, e['text'], L.sectionText, 'Context text'));
        break;
      }
      case 'actions': {
        const elements = list(b['elements']);
        if (elements.length > L.actionsElements) this.report(`${path}.elements`, `${elements.length} elements; an actions block may have at most ${L.actionsElements}`);
        const actionIds = new Set<string>();
        elements.forEach((e, i) => {
          const id = e['action_id'];
          if (typeof id === 'string') {
            if (actionIds.has(id)) this.report(`${path}.elements[${i}].action_id`, `action_id "${id}" is used twice in one block`);
            actionIds.add(id);
          }
          this.element(e, `${path}.elements[${i}]`);
        });
        break;
      }
      case 'input':
        this.length(`${path}.label.text`, textOf(b['label']), L.labelText, 'An input label');
        this.length(`${path}.hint.text`, textOf(b['hint']), L.hintText, 'An input hint');
        if (isJson(b['element'])) this.element(b['element'], `${path}.element`);
        break;
    }
  }

  element(e: Json, path: string): void {
    this.length(`${path}.action_id`, e['action_id'], L.id, 'The action_id');
    this.length(`${path}.placeholder.text`, textOf(e['placeholder']), L.placeholderText, 'A placeholder');
    if (e['type'] === 'button') {
      this.length(`${path}.text.text`, textOf(e['text']), L.buttonText, 'Button text');
      this.length(`${path}.value`, e['value'], L.buttonValue, 'A button value');
    }
    if (isJson(e['confirm'])) this.confirm(e['confirm'], `${path}.confirm`);
    if (e['type'] === 'plain_text_input') {
      const max = typeof e['max_length'] === 'number' ? Math.min(e['max_length'], L.inputText) : L.inputText;
      this.length(`${path}.initial_value`, e['initial_value'], max, 'The initial text');
    }
    if (e['type'] === 'number_input') this.numberRange(e, path);
    const cap = OPTION_CAP[String(e['type'])];
    if (cap !== undefined) this.options(e, path, cap);
  }

  private options(e: Json, path: string, cap: number): void {
    const options = list(e['options']);
    if (options.length > cap) this.report(`${path}.options`, `${options.length} options; a ${String(e['type'])} may have at most ${cap}`);
    options.forEach((o, i) => {
      this.length(`${path}.options[${i}].text.text`, textOf(o['text']), L.optionText, 'Option text');
      this.length(`${path}.options[${i}].value`, o['value'], L.optionValue, 'An option value');
      this.length(`${path}.options[${i}].description.text`, textOf(o['description']), L.optionText, 'An option description');
    });
    const initial = e['initial_option'];
    if (isJson(initial) && !options.some((o) => JSON.stringify(o) === JSON.stringify(initial))) {
      this.report(`${path}.initial_option`, 'The initial option is not exactly one of the options');
    }
  }

  private numberRange(e: Json, path: string): void {
    const [initial, min, max] = [e['initial_value'], e['min_value'], e['max_value']].map((v) => (typeof v === 'string' ? Number(v) : undefined));
    if (min !== undefined && max !== undefined && min > max) this.report(`${path}.min_value`, `min_value ${min} is above max_value ${max}`);
    if (initial !== undefined && ((min !== undefined && initial < min) || (max !== undefined && initial > max))) {
      this.report(`${path}.initial_value`, `The initial value ${initial} is outside ${min ?? '-∞'}–${max ?? '∞'}`);
    }
  }

  private confirm(c: Json, path: string): void {
    this.length(`${path}.title.text`, textOf(c['title']), L.confirmTitle, 'A confirm dialog title');
    this.length(`${path}.text.text`, textOf(c['text']), L.confirmText, 'A confirm dialog text');
    this.length(`${path}.confirm.text`, textOf(c['confirm']), L.confirmButton, 'A confirm button');
    this.length(`${path}.deny.text`, textOf(c['deny']), L.confirmButton, 'A deny button');
  }
}

function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isJson) : [];
}

function textOf(v: unknown): unknown {
  return isJson(v) ? v['text'] : undefined;
}
