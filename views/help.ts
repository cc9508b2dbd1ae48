import { context, escapeMrkdwn, joinMrkdwn, type Message, mrkdwn, section, userText } from './blocks.js';

export const SUBCOMMANDS: ReadonlyArray<{ usage: string; summary: string }> = [
  { usage: 'add-version [layer]', summary: 'Open the Create OS Version wizard for an OS layer.' },
  { usage: 'import-layer', summary: 'Register an OS layer from a fixed VHD already in Azure storage.' },
  { usage: 'layers', summary: 'List the OS layers with their versions and statuses.' },
  { usage: 'tasks', summary: 'Show the open tasks and what each one is waiting for.' },
  { usage: 'connectors', summary: 'List, add, edit and test Azure platform connector configurations.' },
  { usage: 'autopilot [layer]', summary: 'Schedule a layer’s monthly version (Patch Tuesday + days, or cron, in a time zone); Run now.' },
  { usage: 'autopilot run-now <layer>', summary: 'Start an autopilot run of a layer now, with its saved schedule.' },
  { usage: 'roles', summary: 'See or assign who may manage OS layers (Administrators).' },
  { usage: 'audit [n]', summary: 'Show the latest n audit entries: who changed what, and when (Administrators).' },
  { usage: 'help', summary: 'Show this list.' },
];

/** The ephemeral help; `unknown` is what the user typed when it matched no subcommand. */
export function helpMessage(unknown?: string): Message {
  // In a code span, backticks and line breaks would end it early; the rest is escaped like any user text.
  const typed = unknown === undefined ? undefined : userText(unknown.replace(/[`\n\r]/g, ' '), 60);
  const intro = typed
    ? mrkdwn`I don't know \`${typed}\`. Here is what \`/oslayer\` can do:`
    : mrkdwn`Add a new version to a Windows OS layer on Azure, without leaving Slack.`;
  const list = joinMrkdwn(SUBCOMMANDS.map((c) => mrkdwn`• \`/oslayer ${escapeMrkdwn(c.usage)}\` — ${escapeMrkdwn(c.summary)}`));
  return {
    text: mrkdwn`${intro}\n${list}`,
    blocks: [section(intro), section(list), context(mrkdwn`Start with \`/oslayer add-version\`; each step is reported in the notification channel.`)],
  };
}
