import { FAKE_BOT, type FakeSlackWebApi, type StoredMessage, type StoredView } from '../../sandbox/slack/web-api.js';
import { withIds, type Block } from '../../sandbox/slack/block-kit.js';
import type { LocalChannel } from './directory.js';

/** What one person sees: the page renders exactly this (GET /api/state?user=…). */
export interface WorkspaceState {
  user: string;
  channels: Array<LocalChannel & { messages: MessageView[] }>;
  /** Open modals, root first; the page shows the last one. */
  modals: ModalView[];
  home: (Record<string, unknown> & { blocks: Block[] }) | null;
}

export interface MessageView {
  channel: string;
  ts: string;
  author: string;
  text: string;
  blocks: Block[];
  ephemeral: boolean;
  replies: MessageView[];
}

export type ModalView = Record<string, unknown> & { id: string; blocks: Block[]; errors: Record<string, string> };

/** Slack's ts is "<seconds>.<sequence>"; compare both parts as numbers. */
function byTs(a: { ts: string }, b: { ts: string }): number {
  const [as = 0, aseq = 0] = a.ts.split('.').map(Number);
  const [bs = 0, bseq = 0] = b.ts.split('.').map(Number);
  return as - bs || aseq - bseq;
}

function messageView(m: StoredMessage): MessageView {
  return {
    channel: m.channel,
    ts: m.ts,
    author: m.username ?? FAKE_BOT.name,
    text: m.text ?? '',
    blocks: withIds(m.blocks),
    ephemeral: m.ephemeral === true,
    replies: [],
  };
}

/** A channel's messages (of those the user may see), with replies under their parent (or on their own if the parent is gone). */
function channelMessages(seen: StoredMessage[], channel: string): MessageView[] {
  const visible = seen.filter((m) => m.channel === channel).sort(byTs);
  const top = new Map<string, MessageView>();
  const out: MessageView[] = [];
  for (const m of visible) {
    const parent = m.thread_ts && m.thread_ts !== m.ts ? top.get(m.thread_ts) : undefined;
    const view = messageView(m);
    if (parent) {
      parent.replies.push(view);
    } else {
      top.set(m.ts, view);
      out.push(view);
    }
  }
  return out;
}

function withBlockIds(stored: StoredView): Record<string, unknown> & { blocks: Block[] } {
  return { ...stored.view, blocks: withIds(stored.view.blocks) };
}

export function workspaceState(
  fake: FakeSlackWebApi,
  user: string,
  home: LocalChannel,
  viewErrors: ReadonlyMap<string, Record<string, string>>,
  /** When the page was loaded (Slack ts seconds): ephemerals from before it are gone, as in Slack after a reload. */
  since = 0,
): WorkspaceState {
  // The bot may post anywhere (another channel, a DM): every channel it used is listed, never dropped.
  const seen = fake.messages.filter((m) => !m.ephemeral || (m.user === user && Math.floor(Number(m.ts)) >= Math.floor(since)));
  const channelIds = [...new Set([home.id, ...seen.map((m) => m.channel)])];
  return {
    user,
    channels: channelIds.map((id) => ({
      id,
      name: id === home.id ? home.name : id,
      messages: channelMessages(seen, id),
    })),
    modals: fake.modalStack(user).map((v) => ({ ...withBlockIds(v), id: v.id, errors: viewErrors.get(v.id) ?? {} })),
    home: fake.homeView(user) ? withBlockIds(fake.homeView(user)!) : null,
  };
}
