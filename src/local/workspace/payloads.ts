import type { StoredMessage } from '../../sandbox/slack/web-api.js';
import { FAKE_BOT } from '../../sandbox/slack/web-api.js';
import type { Block, StateValues } from '../../sandbox/slack/block-kit.js';
import { LOCAL_TEAM, type LocalChannel, type LocalUser } from './directory.js';

/**
 * The bodies Slack sends to an app, field for field as Slack documents them (slash commands,
 * block_actions, view_submission, view_closed, and the Events API envelope), so the bot cannot
 * tell the workspace from Slack.
 */

/** Slack still sends the deprecated verification token; Bolt checks signatures instead. */
const VERIFICATION_TOKEN = 'local-verification-token';

export interface Who {
  user: LocalUser;
  triggerId: string;
}

function userField(user: LocalUser) {
  return { id: user.id, username: user.name.toLowerCase().replace(/\s+/g, '.'), name: user.name.split(' ')[0]!.toLowerCase(), team_id: LOCAL_TEAM.id };
}

function common({ user, triggerId }: Who) {
  return {
    user: userField(user),
    api_app_id: FAKE_BOT.app_id,
    token: VERIFICATION_TOKEN,
    trigger_id: triggerId,
    team: LOCAL_TEAM,
    enterprise: null,
    is_enterprise_install: false,
  };
}

export function slashCommandFields(
  who: Who,
  channel: LocalChannel,
  command: string,
  text: string,
  responseUrl: string,
): Record<string, string> {
  return {
    token: VERIFICATION_TOKEN,
    team_id: LOCAL_TEAM.id,
    team_domain: LOCAL_TEAM.domain,
    channel_id: channel.id,
    channel_name: channel.name,
    user_id: who.user.id,
    user_name: userField(who.user).username,
    command,
    text,
    api_app_id: FAKE_BOT.app_id,
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: who.triggerId,
  };
}

/** A message as Slack includes it in a block_actions payload (with the block ids Slack filled in). */
function messageField(msg: StoredMessage, blocks: Block[]) {
  return {
    type: 'message',
    user: FAKE_BOT.user_id,
    bot_id: msg.bot_id,
    ts: msg.ts,
    ...(msg.thread_ts && { thread_ts: msg.thread_ts }),
    text: msg.text ?? '',
    blocks,
  };
}

export function messageBlockActions(
  who: Who,
  source: { msg: StoredMessage; blocks: Block[]; channel: LocalChannel; values: StateValues },
  action: Record<string, unknown>,
  responseUrl: string,
) {
  const { msg, blocks, channel, values } = source;
  return {
    type: 'block_actions',
    ...common(who),
    container: {
      type: 'message',
      message_ts: msg.ts,
      channel_id: msg.channel,
      is_ephemeral: msg.ephemeral === true,
      ...(msg.thread_ts && { thread_ts: msg.thread_ts }),
    },
    channel: { id: channel.id, name: channel.name },
    // Slack leaves the message out for ephemeral messages: the app never stored them.
    ...(!msg.ephemeral && { message: messageField(msg, blocks) }),
    state: { values },
    response_url: responseUrl,
    actions: [action],
  };
}

/** A view with the state Slack reports at the moment of the interaction. */
export function viewField(view: Record<string, unknown>, blocks: Block[], values: StateValues): Record<string, unknown> {
  return { ...view, blocks, state: { values } };
}

export function viewBlockActions(who: Who, view: Record<string, unknown>, action: Record<string, unknown>) {
  return {
    type: 'block_actions',
    ...common(who),
    container: { type: 'view', view_id: view.id },
    view,
    actions: [action],
  };
}

export function viewSubmission(who: Who, view: Record<string, unknown>) {
  return { type: 'view_submission', ...common(who), view, response_urls: [] };
}

export function viewClosed(who: Who, view: Record<string, unknown>, isCleared: boolean) {
  const { trigger_id: _noTrigger, ...rest } = common(who);
  return { type: 'view_closed', ...rest, view, is_cleared: isCleared };
}

/** The Events API envelope around app_home_opened; `view` is the Home tab the user had, if any. */
export function appHomeOpened(user: LocalUser, view: Record<string, unknown> | undefined) {
  const now = Date.now();
  return {
    token: VERIFICATION_TOKEN,
    team_id: LOCAL_TEAM.id,
    api_app_id: FAKE_BOT.app_id,
    event: {
      type: 'app_home_opened',
      user: user.id,
      channel: `D${user.id.slice(1)}`,
      tab: 'home',
      event_ts: (now / 1000).toFixed(6),
      ...(view && { view }),
    },
    type: 'event_callback',
    event_id: `Ev${now.toString(36).toUpperCase()}`,
    event_time: Math.floor(now / 1000),
    authorizations: [{ enterprise_id: null, team_id: LOCAL_TEAM.id, user_id: FAKE_BOT.user_id, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}
