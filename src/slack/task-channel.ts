import type { WebClient } from '@slack/web-api';
import { NO_TASK_CHANNEL } from '../../views/wizard.js';

/**
 * Whether the bot can post a task message in `channel`, asked before anything is created so a
 * version never goes ahead without the message that carries its buttons. Slack's rules: the bot
 * posts where it is a member, and in a public channel it has not joined through chat:write.public;
 * private channels, DMs and group DMs it is not in are invisible to it (conversations.info answers
 * `channel_not_found`). Answers undefined when it can, else the one sentence that says the fix.
 */
export async function taskChannelProblem(client: WebClient, channel: string | undefined): Promise<string | undefined> {
  if (!channel) return NO_TASK_CHANNEL;
  switch (await channelReach(client, channel)) {
    case 'ok':
      return undefined;
    case 'archived':
      return `<#${channel}> is archived, so the task message can't go there: run \`/oslayer add-version\` in another channel.`;
    case 'not-member':
      return `I am not a member of <#${channel}>, so I can't post the task message there: invite @oslayer to it (\`/invite @oslayer\`), then click Create Version again.`;
    case 'invisible':
      return 'I can\'t post in this conversation (a DM, a group DM or a private channel I am not in): invite @oslayer to it, or run `/oslayer add-version` in a channel I am in.';
  }
}

/** Whether the bot can post in `channel`, by the rules above: yes, or why not. */
export async function channelReach(client: WebClient, channel: string): Promise<'ok' | 'archived' | 'not-member' | 'invisible'> {
  try {
    const { channel: c } = await client.conversations.info({ channel });
    if (c?.is_member || (c?.is_channel && !c.is_private && !c.is_archived)) return 'ok';
    return c?.is_archived ? 'archived' : 'not-member';
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code !== 'channel_not_found') throw err;
    return 'invisible';
  }
}
