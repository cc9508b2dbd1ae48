// Slack's mrkdwn, rendered to DOM nodes (never to HTML strings, so message text cannot inject markup).
// Supported: *bold*, _italic_, ~strike~, `code`, ```pre```, > quotes, <url|text> links,
// <@U123> mentions, <#C123|name> channels, <!here>-style specials, <!date^…> dates in the
// reader's time zone, and the :emoji: codes the bot uses (and a few more).
import { slackDate } from './slack-date.js';

const EMOJI = {
  white_check_mark: '✅', heavy_check_mark: '✔️', x: '❌', warning: '⚠️', hourglass: '⌛',
  hourglass_flowing_sand: '⏳', rocket: '🚀', gear: '⚙️', wrench: '🔧', computer: '💻', lock: '🔒',
  information_source: 'ℹ️', bulb: '💡', tada: '🎉', stop_sign: '🛑', arrows_counterclockwise: '🔄',
  cloud: '☁️', package: '📦', floppy_disk: '💾', no_entry: '⛔', eyes: '👀', clock3: '🕒',
  raising_hand: '🙋', no_entry_sign: '🚫', wastebasket: '🗑️', test_tube: '🧪', runner: '🏃', repeat: '🔁',
  money_with_wings: '💸', mag: '🔍', desktop_computer: '🖥️', construction: '🚧', checkered_flag: '🏁', broom: '🧹',
};

const SAFE_URL = /^(https?:|mailto:)/i;

/** Replaces :shortcode: with its emoji where known; unknown codes stay as typed. */
export function emojify(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (whole, code) => EMOJI[code] ?? whole);
}

/** Slack escapes &, < and > in message text; show them as the characters they stand for. */
function unescapeEntities(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function el(tag, className, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) node.append(child);
  return node;
}

/** An angle-bracket token: a link, a mention, a channel, or a special such as <!here>. */
function angleToken(inner, names) {
  const [target, label] = splitOnce(inner, '|');
  if (target.startsWith('@')) {
    const name = label || names.user(target.slice(1)) || target.slice(1);
    return el('span', 'mention', [`@${name}`]);
  }
  if (target.startsWith('#')) return el('span', 'mention', [`#${label || names.channel(target.slice(1)) || target.slice(1)}`]);
  if (target.startsWith('!date^')) return document.createTextNode(slackDate(target, unescapeEntities(label)));
  if (target.startsWith('!')) {
    const special = target.slice(1).split('^')[0];
    return el('span', 'mention', [label || `@${special}`]);
  }
  const href = unescapeEntities(target);
  if (!SAFE_URL.test(href)) return document.createTextNode(unescapeEntities(label || target));
  const a = el('a', 'link', [unescapeEntities(label || target)]);
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  return a;
}

function splitOnce(text, sep) {
  const i = text.indexOf(sep);
  return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + 1)];
}

// Styles apply at word boundaries, as in Slack: "a*b*c" stays as typed.
const STYLES = [
  { re: /(^|[^\p{L}\p{N}*])\*(?=\S)([^*\n]*?\S)\*(?![\p{L}\p{N}*])/u, tag: 'strong' },
  { re: /(^|[^\p{L}\p{N}_])_(?=\S)([^_\n]*?\S)_(?![\p{L}\p{N}_])/u, tag: 'em' },
  { re: /(^|[^\p{L}\p{N}~])~(?=\S)([^~\n]*?\S)~(?![\p{L}\p{N}~])/u, tag: 'del' },
];

/** Private-use characters stand in for code spans and links while styles are parsed. */
const PLACEHOLDER_BASE = 0xe000;
const PLACEHOLDER = /[\ue000-\uf8ff]/u;

function textNodes(text, tokens) {
  const out = [];
  let plain = '';
  for (const ch of text) {
    const code = ch.codePointAt(0);
    if (PLACEHOLDER.test(ch) && tokens[code - PLACEHOLDER_BASE]) {
      if (plain) out.push(document.createTextNode(emojify(unescapeEntities(plain))));
      plain = '';
      out.push(tokens[code - PLACEHOLDER_BASE]);
    } else {
      plain += ch;
    }
  }
  if (plain) out.push(document.createTextNode(emojify(unescapeEntities(plain))));
  return out;
}

function styled(text, tokens) {
  let best;
  for (const style of STYLES) {
    const m = style.re.exec(text);
    if (m && (!best || m.index < best.m.index)) best = { m, style };
  }
  if (!best) return textNodes(text, tokens);
  const { m, style } = best;
  const start = m.index + m[1].length;
  return [
    ...textNodes(text.slice(0, start), tokens),
    el(style.tag, '', styled(m[2], tokens)),
    ...styled(text.slice(m.index + m[0].length), tokens),
  ];
}

/** Renders mrkdwn text; `names` resolves ids in mentions: { user(id), channel(id) }. */
export function renderMrkdwn(text, names) {
  const tokens = [];
  const hold = (node) => String.fromCodePoint(PLACEHOLDER_BASE + tokens.push(node) - 1);
  let s = String(text ?? '');
  s = s.replace(/```([\s\S]*?)```/g, (_, code) => hold(el('pre', 'pre', [unescapeEntities(code.replace(/^\n/, ''))])));
  s = s.replace(/`([^`\n]+)`/g, (_, code) => hold(el('code', 'code', [unescapeEntities(code)])));
  s = s.replace(/<([^<>\n]+)>/g, (_, inner) => hold(angleToken(inner, names)));

  const fragment = document.createDocumentFragment();
  const lines = s.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const quote = /^(?:&gt;|>)\s?(.*)$/.exec(lines[i]);
    if (quote) {
      fragment.append(el('blockquote', 'quote', styled(quote[1], tokens)));
      continue;
    }
    fragment.append(...styled(lines[i], tokens));
    if (i < lines.length - 1 && !/^(?:&gt;|>)/.test(lines[i + 1] ?? '')) fragment.append('\n');
  }
  return fragment;
}

/** A Block Kit text object: mrkdwn or plain_text (whose :emoji: codes Slack shows as emoji). */
export function renderText(obj, names) {
  if (!obj) return document.createDocumentFragment();
  if (obj.type === 'mrkdwn') return renderMrkdwn(obj.text, names);
  return document.createTextNode(emojify(String(obj.text ?? '')));
}
