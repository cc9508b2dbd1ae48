/**
 * Small Block Kit builders shared by every view. Each one clips user-supplied text to
 * Slack's limit for that spot (SLACK_LIMIT), so a long name or description shortens
 * instead of making Slack reject the whole view.
 */
import type {
  ActionsBlock,
  ActionsBlockElement,
  Button,
  ConfirmationDialog,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  InputBlock,
  InputBlockElement,
  KnownBlock,
  ModalView,
  PlainTextElement,
  PlainTextOption,
  RadioButtons,
  SectionBlock,
  StaticSelect,
} from '@slack/types';
import dayjs from 'dayjs';
import { AUTOPILOT_ACTOR } from '../src/domain/autopilot.js';

/** Slack's hard limits (DESIGN §2 and the Block Kit reference). */
export const SLACK_LIMIT = {
  modalButtonText: 24,
  viewBlocks: 100,
  messageBlocks: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  id: 255,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  labelText: 2000,
  hintText: 2000,
  placeholderText: 150,
  privateMetadata: 3000,
  contextElements: 10,
  actionsElements: 25,
  radioOptions: 10,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  inputText: 3000,
} as const;

/** A message: `text` is the notification and screen-reader fallback for the blocks (Slack reads it as mrkdwn too). */
export interface Message {
  text: Mrkdwn;
  blocks: KnownBlock[];
}

/** A slash command's answer only its sender sees. */
export function ephemeral(text: Mrkdwn): { response_type: 'ephemeral'; text: Mrkdwn } {
  return { response_type: 'ephemeral', text };
}

/**
 * Clipped to `max` UTF-16 units (the stricter way to count), never splitting a surrogate pair
 * or one of escapeMrkdwn's entities (half an `&amp;` would show as a stray `&am`).
 */
export function truncate(text: Mrkdwn, max: number): Mrkdwn;
export function truncate(text: string, max: number): string;
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, '').replace(/&(?:a|am|amp|l|lt|g|gt)?$/, '');
  return `${cut}…`;
}

/**
 * The one escaping rule for user and Azure text in mrkdwn (names, descriptions, Azure error
 * messages, step details): Slack reads `&`, `<` and `>` as markup, so `<!here>` would ping a
 * channel and `<https://x|y>` would become a link. Escaped, they read as typed. Every builder
 * and every message the bot writes runs such text through this; plain_text needs nothing.
 */
export function escapeMrkdwn(text: string): Mrkdwn {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') as Mrkdwn;
}

declare const MRKDWN: unique symbol;

/**
 * Text that may leave for Slack as mrkdwn: only escapeMrkdwn and the `mrkdwn` template make it,
 * so the compiler refuses user or Azure text where an answer to a click expects this type.
 */
export type Mrkdwn = string & { readonly [MRKDWN]: true };

/**
 * The bot's own mrkdwn as a literal template: every interpolated string is escaped, unless it is
 * already Mrkdwn (escaped text, or markup built by this same template); numbers read as written.
 * Which strings are Mrkdwn is known only to the compiler, so an interpolation must say it:
 * `${escapeMrkdwn(name)}` for text to escape, a Mrkdwn value for markup to keep.
 */
export function mrkdwn(literals: TemplateStringsArray, ...values: ReadonlyArray<Mrkdwn | number>): Mrkdwn {
  return literals.reduce((out, literal, i) => out + literal + (i < values.length ? String(values[i]) : ''), '') as Mrkdwn;
}

/** Escaped, then clipped to `max` without cutting an entity in half. */
export function userText(text: string, max: number): Mrkdwn {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const ch of text) {
    const next = escapeMrkdwn(ch);
    if (out.length + next.length > max - 1) break;
    out += next;
  }
  return `${out}…` as Mrkdwn;
}

/** Mrkdwn pieces joined (lines by default); the pieces left out (empty, false, undefined) are skipped. */
export function joinMrkdwn(parts: ReadonlyArray<Mrkdwn | '' | undefined | null | false>, separator: Mrkdwn = mrkdwn`\n`): Mrkdwn {
  return parts.filter((p): p is Mrkdwn => Boolean(p)).join(separator) as Mrkdwn;
}

export function plain(text: string, max: number = SLACK_LIMIT.labelText): PlainTextElement {
  return { type: 'plain_text', text: truncate(text, max), emoji: true };
}

export function section(text: Mrkdwn, blockId?: string): SectionBlock {
  return { type: 'section', ...(blockId ? { block_id: blockId } : {}), text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMIT.sectionText) } };
}

/** Label/value pairs side by side; values are user text and are escaped here. */
export function fieldsSection(fields: ReadonlyArray<readonly [label: string, value: string]>, blockId?: string): SectionBlock {
  return {
    type: 'section',
    ...(blockId ? { block_id: blockId } : {}),
    fields: fields.slice(0, SLACK_LIMIT.sectionFields).map(([label, value]) => ({
      type: 'mrkdwn',
      text: `*${label}*\n${userText(value, SLACK_LIMIT.fieldText - label.length - 3)}`,
    })),
  };
}

export function context(text: Mrkdwn): ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, SLACK_LIMIT.sectionText) }] };
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: plain(text, SLACK_LIMIT.headerText) };
}

export const divider: DividerBlock = { type: 'divider' };

export function button(
  text: string,
  actionId: string,
  opts: { value?: string; style?: 'primary' | 'danger'; confirm?: ConfirmationDialog; url?: string } = {},
): Button {
  return {
    type: 'button',
    text: plain(text, SLACK_LIMIT.buttonText),
    action_id: actionId,
    ...(opts.value !== undefined ? { value: opts.value } : {}),
    ...(opts.style ? { style: opts.style } : {}),
    ...(opts.confirm ? { confirm: opts.confirm } : {}),
    ...(opts.url ? { url: opts.url } : {}),
  };
}

/**
 * A button's confirm dialog, all plain_text: Slack shows mrkdwn there as typed (asterisks and
 * backticks appear), so what will happen is said in plain words.
 */
export function confirmDialog(title: string, text: string, confirm: string, opts: { style?: 'primary' | 'danger'; deny?: string } = {}): ConfirmationDialog {
  return {
    title: plain(title, SLACK_LIMIT.confirmTitle),
    text: plain(text, SLACK_LIMIT.confirmText),
    confirm: plain(confirm, SLACK_LIMIT.confirmButton),
    deny: plain(opts.deny ?? 'Keep it', SLACK_LIMIT.confirmButton),
    ...(opts.style ? { style: opts.style } : {}),
  };
}

export function actions(blockId: string, elements: ActionsBlockElement[]): ActionsBlock {
  return { type: 'actions', block_id: blockId, elements: elements.slice(0, SLACK_LIMIT.actionsElements) };
}

export function option(text: string, value: string, description?: string): PlainTextOption {
  return {
    text: plain(text, SLACK_LIMIT.optionText),
    value,
    ...(description ? { description: plain(description, SLACK_LIMIT.optionText) } : {}),
  };
}

/** A static select; the initial option is looked up among the options, as Slack requires. */
export function staticSelect(actionId: string, options: PlainTextOption[], placeholder: string, initialValue?: string): StaticSelect {
  const initial = options.find((o) => o.value === initialValue);
  return {
    type: 'static_select',
    action_id: actionId,
    placeholder: plain(placeholder, SLACK_LIMIT.placeholderText),
    options,
    ...(initial ? { initial_option: initial } : {}),
  };
}

export function radioButtons(actionId: string, options: PlainTextOption[], initialValue?: string): RadioButtons {
  const initial = options.find((o) => o.value === initialValue);
  return { type: 'radio_buttons', action_id: actionId, options, ...(initial ? { initial_option: initial } : {}) };
}

export function input(
  blockId: string,
  label: string,
  element: InputBlockElement,
  opts: { optional?: boolean; hint?: string; dispatchAction?: boolean } = {},
): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    element,
    ...(opts.optional ? { optional: true } : {}),
    ...(opts.hint ? { hint: plain(opts.hint, SLACK_LIMIT.hintText) } : {}),
    ...(opts.dispatchAction ? { dispatch_action: true } : {}),
  };
}

export function textInput(
  actionId: string,
  opts: { initial?: string; placeholder?: string; multiline?: boolean; maxLength?: number } = {},
): InputBlockElement {
  return {
    type: 'plain_text_input',
    action_id: actionId,
    ...(opts.initial ? { initial_value: truncate(opts.initial, opts.maxLength ?? SLACK_LIMIT.inputText) } : {}),
    ...(opts.placeholder ? { placeholder: plain(opts.placeholder, SLACK_LIMIT.placeholderText) } : {}),
    ...(opts.multiline ? { multiline: true } : {}),
    ...(opts.maxLength ? { max_length: opts.maxLength } : {}),
  };
}

export function modal(spec: {
  callbackId: string;
  title: string;
  blocks: KnownBlock[];
  submit?: string;
  close?: string;
  privateMetadata?: string;
}): ModalView {
  return {
    type: 'modal',
    callback_id: spec.callbackId,
    title: plain(spec.title, SLACK_LIMIT.modalButtonText),
    close: plain(spec.close ?? 'Cancel', SLACK_LIMIT.modalButtonText),
    ...(spec.submit ? { submit: plain(spec.submit, SLACK_LIMIT.modalButtonText) } : {}),
    ...(spec.privateMetadata !== undefined ? { private_metadata: spec.privateMetadata } : {}),
    blocks: spec.blocks,
  };
}

/** A modal that only tells the user something: no inputs, so no submit button. */
export function noticeModal(callbackId: string, title: string, text: Mrkdwn): ModalView {
  return modal({ callbackId, title, close: 'Close', blocks: [section(text)] });
}

/** The newest `max` items (by createdAt) and how many were left out, for lists Slack caps. */
export function newest<T extends { createdAt: Date }>(items: readonly T[], max: number): { shown: T[]; omitted: number } {
  const sorted = [...items].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return { shown: sorted.slice(0, max), omitted: Math.max(0, sorted.length - max) };
}

/** One page of a list; `page` is clamped to the pages that exist. */
export function pageOf<T>(items: readonly T[], page: number, perPage: number): { items: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const current = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  return { items: items.slice(current * perPage, (current + 1) * perPage), page: current, pages };
}

/**
 * A mention of a Slack user by id (ids are Slack's own, [UW][A-Z0-9]+); the bot's own autopilot,
 * which no Slack user is, by its label.
 */
export function mention(userId: string): Mrkdwn {
  if (userId === AUTOPILOT_ACTOR) return AUTOPILOT_LABEL;
  return `<@${userId.replace(/[^A-Z0-9]/gi, '')}>` as Mrkdwn;
}

/** How a step autopilot did is signed in the thread and the task message. */
const AUTOPILOT_LABEL = ':robot_face: autopilot' as Mrkdwn;

/** A link with its own words: both escaped, and a `|` in the URL encoded so it cannot end the link early. */
export function slackLink(url: string, label: string): Mrkdwn {
  return `<${escapeMrkdwn(url.replace(/\|/g, '%7C'))}|${escapeMrkdwn(label)}>` as Mrkdwn;
}

/** A channel link by id. */
export function channelLink(channelId: string): Mrkdwn {
  return `<#${channelId.replace(/[^A-Z0-9]/gi, '')}>` as Mrkdwn;
}

/** Previous/Next buttons for a paged message, or nothing when it fits on one page. */
export function pageNav(actionIds: { previous: string; next: string }, blockId: string, page: number, pages: number): KnownBlock[] {
  if (pages <= 1) return [];
  const buttons = [
    ...(page > 0 ? [button('← Previous', actionIds.previous, { value: String(page - 1) })] : []),
    ...(page < pages - 1 ? [button('Next →', actionIds.next, { value: String(page + 1) })] : []),
  ];
  return [context(mrkdwn`Page ${page + 1} of ${pages}`), actions(blockId, buttons)];
}

/**
 * A time as Slack's date token: each reader sees it in their own time zone, and `{ago}` stays
 * true as time passes ("3 minutes ago" becomes "2 hours ago"); the fallback, ISO 8601 in UTC, is what
 * notifications and clients without date support show.
 */
export function slackTime(at: Date, format = '{date_short_pretty} {time}'): Mrkdwn {
  return `<!date^${Math.floor(at.getTime() / 1000)}^${format}|${at.toISOString()}>` as Mrkdwn;
}

/** "5 minutes ago", kept true by Slack's client. */
export function slackAgo(at: Date): Mrkdwn {
  return slackTime(at, '{ago}');
}

/** A day in the reader's own time zone. */
export function slackDate(date: Date): Mrkdwn {
  return `<!date^${Math.floor(date.getTime() / 1000)}^{date_short}|${day(date)}>` as Mrkdwn;
}

/** A size in bytes as people read disk sizes (Azure's "GB" for disks are GiB); below a GiB in MiB, so a small disk never reads 0. */
export function gib(bytes: number): string {
  const [value, unit] = bytes >= 1024 ** 3 ? [bytes / 1024 ** 3, 'GiB'] : [bytes / 1024 ** 2, 'MiB'];
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}

/** For plain_text, where Slack does not format dates. */
export function day(date: Date): string {
  return dayjs(date).format('YYYY-MM-DD');
}
