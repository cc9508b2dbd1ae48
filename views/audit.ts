/** `/oslayer audit [n]`: the latest audit entries, newest first. */
import type { KnownBlock } from '@slack/types';
import type { AuditEntry } from '../src/domain/model.js';
import { context, escapeMrkdwn, header, joinMrkdwn, mention, type Message, mrkdwn, type Mrkdwn, section, SLACK_LIMIT, slackTime, userText } from './blocks.js';

/** Lines per section: eight lines of at most about 330 characters stay under a section's 3000, so no line is clipped. */
const LINES_PER_SECTION = 8;

function detailsText(details: AuditEntry['details']): string {
  if (!details) return '';
  const parts = Object.entries(details).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function actorText(actor: string): Mrkdwn {
  return /^[UW][A-Z0-9]{2,}$/.test(actor) ? mention(actor) : mrkdwn`_${userText(actor, 40)}_`;
}

/** One line per entry: when (in the reader's time zone), who, what, on what, and the details recorded. */
export function auditLine(e: AuditEntry): Mrkdwn {
  const when = slackTime(e.at, '{date_short} {time}');
  return mrkdwn`${when} ${actorText(e.actor)} \`${userText(e.action, 60)}\` ${userText(`${e.target}${detailsText(e.details)}`, 160)}`;
}

export function auditMessage(entries: readonly AuditEntry[], opts: { requested: number; clampedFrom?: number }): Message {
  if (entries.length === 0) {
    const text = mrkdwn`The audit log is empty: nothing has been created, changed or deleted yet (or it is older than the retention period).`;
    return { text, blocks: [section(text)] };
  }
  const title = `The latest ${entries.length} audit entr${entries.length === 1 ? 'y' : 'ies'}`;
  const blocks: KnownBlock[] = [header(title)];
  for (let i = 0; i < entries.length; i += LINES_PER_SECTION) {
    blocks.push(section(joinMrkdwn(entries.slice(i, i + LINES_PER_SECTION).map(auditLine))));
  }
  const notes = [
    opts.clampedFrom !== undefined && mrkdwn`You asked for ${opts.clampedFrom}; at most ${opts.requested} are shown at once.`,
    mrkdwn`Newest first. \`/oslayer audit &lt;n&gt;\` shows the latest n (up to 100).`,
  ];
  blocks.push(context(joinMrkdwn(notes, mrkdwn` `)));
  return { text: escapeMrkdwn(title), blocks: blocks.slice(0, SLACK_LIMIT.messageBlocks) };
}
