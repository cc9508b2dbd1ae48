/**
 * A version's changelog in Slack. No section is ever lost: each has its own budget,
 * its header and count always show ("Programs removed (5)"), and when its lines do not fit the
 * budget it says how many it left out. The finalize thread carries it whole, split over posts
 * within Slack's limits, or — when even that is too long — attaches it as a Markdown file.
 */
import type { Changelog } from '../src/domain/inventory.js';
import { escapeMrkdwn, joinMrkdwn, mrkdwn, type Mrkdwn, SLACK_LIMIT, userText } from './blocks.js';

type VersionChangelog = Changelog & { comparedWith: 'packaging-machine' | 'base-version' };

interface Section {
  title: string;
  /** Each line mrkdwn, guest text escaped. */
  lines: Mrkdwn[];
  /** The same lines for the attached file, as the guest wrote them. */
  raw: string[];
}

/** A thread post's text: well under chat.postMessage's 40,000, at the 4,000 Slack advises so it shows whole. */
export const CHANGELOG_POST_CHARS = 4000;
/** More posts than this and the thread is the changelog; the file takes over. */
export const CHANGELOG_MAX_POSTS = 4;

function sections(c: Changelog): Section[] {
  return [
    {
      title: 'Updates added',
      lines: c.updatesAdded.map((u) => mrkdwn`${userText(u.kb, 20)}${u.installedOn ? mrkdwn` (${userText(u.installedOn, 20)})` : mrkdwn``}`),
      raw: c.updatesAdded.map((u) => `${u.kb}${u.installedOn ? ` (${u.installedOn})` : ''}`),
    },
    {
      title: 'Drivers updated',
      lines: (c.driversUpdated ?? []).map((d) => mrkdwn`${userText(d.name, 120)}: ${userText(d.from, 60)} → ${userText(d.to, 60)}`),
      raw: (c.driversUpdated ?? []).map((d) => `${d.name}: ${d.from} → ${d.to}`),
    },
    {
      title: 'Drivers added',
      lines: (c.driversAdded ?? []).map((d) => mrkdwn`${userText(d.name, 120)} ${userText(d.version, 60)}${d.provider ? mrkdwn` (${userText(d.provider, 80)})` : mrkdwn``}`),
      raw: (c.driversAdded ?? []).map((d) => `${d.name} ${d.version}${d.provider ? ` (${d.provider})` : ''}`),
    },
    {
      title: 'Programs upgraded',
      lines: c.programsUpgraded.map((p) => mrkdwn`${userText(p.name, 120)}: ${userText(p.from, 60)} → ${userText(p.to, 60)}`),
      raw: c.programsUpgraded.map((p) => `${p.name}: ${p.from} → ${p.to}`),
    },
    {
      title: 'Programs added',
      lines: c.programsAdded.map((p) => mrkdwn`${userText(p.name, 120)} ${userText(p.version, 60)}${p.publisher ? mrkdwn` (${userText(p.publisher, 80)})` : mrkdwn``}`),
      raw: c.programsAdded.map((p) => `${p.name} ${p.version}${p.publisher ? ` (${p.publisher})` : ''}`),
    },
    {
      title: 'Programs removed',
      lines: c.programsRemoved.map((p) => mrkdwn`${userText(p.name, 120)} ${userText(p.version, 60)}`),
      raw: c.programsRemoved.map((p) => `${p.name} ${p.version}`),
    },
  ];
}

function intro(c: VersionChangelog, baseName: string | undefined): Mrkdwn {
  const base = baseName ? mrkdwn`*${userText(baseName, 100)}*` : mrkdwn`the base version`;
  const how = c.comparedWith === 'packaging-machine' ? mrkdwn`as the packaging machine first came up` : mrkdwn`as recorded with it`;
  return mrkdwn`*Changelog* against ${base} (${how}):`;
}

const header = (s: Section, continued = false): Mrkdwn => mrkdwn`*${escapeMrkdwn(s.title)} (${s.lines.length})*${continued ? mrkdwn`, continued` : mrkdwn``}`;

/** The section within `budget` characters: its header and count always, then the lines that fit and how many did not. */
function budgeted(s: Section, budget: number): Mrkdwn {
  if (s.lines.length === 0) return mrkdwn`${header(s)}\nnone`;
  const out = [header(s)];
  let used = out[0]!.length;
  for (const [i, line] of s.lines.entries()) {
    const rest = s.lines.length - i - 1;
    const more = rest > 0 ? `\n• …and ${rest} more`.length : 0;
    if (used + line.length + 3 + more > budget) {
      out.push(mrkdwn`• …and ${s.lines.length - i} more`);
      break;
    }
    out.push(mrkdwn`• ${line}`);
    used += line.length + 3;
  }
  return joinMrkdwn(out);
}

/** How many characters each section needs whole. */
const need = (s: Section) => budgeted(s, Number.MAX_SAFE_INTEGER).length;

/**
 * The changelog in `max` characters (one Slack section: the version details modal, the summary
 * beside an attached file): what a short section leaves unused goes to the longer ones.
 */
export function changelogText(c: VersionChangelog, baseName: string | undefined, max: number = SLACK_LIMIT.sectionText): Mrkdwn {
  const all = sections(c);
  const head = intro(c, baseName);
  let left = max - head.length - all.length;
  const budgets = new Map<Section, number>();
  const byNeed = [...all].sort((a, b) => need(a) - need(b));
  byNeed.forEach((s, i) => {
    const share = Math.floor(left / (byNeed.length - i));
    budgets.set(s, Math.min(need(s), share));
    left -= budgets.get(s)!;
  });
  return joinMrkdwn([head, ...all.map((s) => budgeted(s, budgets.get(s)!))]);
}

/** Each section whole, in chunks of at most `max` characters; a continued section repeats its header. */
function chunks(s: Section, max: number): Mrkdwn[] {
  if (s.lines.length === 0) return [mrkdwn`${header(s)}\nnone`];
  const out: Mrkdwn[] = [];
  let current = header(s);
  for (const line of s.lines) {
    const next = mrkdwn`\n• ${line}`;
    if (current.length + next.length > max) {
      out.push(current);
      current = header(s, true);
    }
    current = mrkdwn`${current}${next}`;
  }
  out.push(current);
  return out;
}

export type ChangelogDelivery =
  | { kind: 'posts'; posts: Mrkdwn[] }
  | { kind: 'file'; summary: Mrkdwn; file: { filename: string; title: string; content: string } };

/**
 * The changelog for the finalize thread: whole, over at most CHANGELOG_MAX_POSTS posts of
 * CHANGELOG_POST_CHARS; else a summary within one post and the whole of it as a Markdown file.
 */
export function changelogDelivery(c: VersionChangelog, baseName: string | undefined, versionName: string): ChangelogDelivery {
  const all = sections(c);
  const posts: Mrkdwn[] = [];
  let current = intro(c, baseName);
  for (const chunk of all.flatMap((s) => chunks(s, CHANGELOG_POST_CHARS - 1))) {
    if (current.length + 1 + chunk.length > CHANGELOG_POST_CHARS) {
      posts.push(current);
      current = chunk;
    } else current = mrkdwn`${current}\n${chunk}`;
  }
  posts.push(current);
  if (posts.length <= CHANGELOG_MAX_POSTS) return { kind: 'posts', posts };
  const filename = `changelog-${versionName.replace(/[^\w.-]+/g, '_').slice(0, 80)}.md`;
  const note = mrkdwn`\nThe whole changelog is attached as ${userText(filename, 100)}.`;
  return {
    kind: 'file',
    summary: mrkdwn`${changelogText(c, baseName, CHANGELOG_POST_CHARS - note.length)}${note}`,
    file: { filename, title: `Changelog of ${versionName}`, content: markdown(all, versionName, baseName) },
  };
}

function markdown(all: Section[], versionName: string, baseName: string | undefined): string {
  const parts = [`# Changelog of ${versionName}`, '', `Against ${baseName ?? 'the base version'}.`];
  for (const s of all) parts.push('', `## ${s.title} (${s.raw.length})`, '', ...(s.raw.length ? s.raw.map((line) => `- ${line}`) : ['none']));
  return `${parts.join('\n')}\n`;
}
