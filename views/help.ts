import type { KnownBlock } from '@slack/types';

export const SUBCOMMANDS: ReadonlyArray<{ usage: string; summary: string }> = [
  { usage: 'add-version [layer]', summary: 'Open the Create OS Version wizard for an OS layer.' },
  { usage: 'import-layer', summary: 'Register an OS layer from a fixed VHD already in Azure storage.' },
  { usage: 'layers', summary: 'List the OS layers with their versions and statuses.' },
  { usage: 'tasks', summary: 'Show the open tasks and what each one is waiting for.' },
  { usage: 'connectors', summary: 'List, add, edit and test Azure platform connector configurations.' },
  { usage: 'roles', summary: 'See or assign who may manage OS layers (Administrators).' },
  { usage: 'audit [n]', summary: 'Show the latest n audit entries: who changed what, and when (Administrators).' },
  { usage: 'help', summary: 'Show this list.' },
];

/** The ephemeral help; `unknown` is what the user typed when it matched no subcommand. */
export function helpMessage(unknown?: string): { text: string; blocks: KnownBlock[] } {
  const intro = unknown
    ? `I don't know \`${truncate(unknown, 60)}\`. Here is what \`/oslayer\` can do:`
    : 'Add a new version to a Windows OS layer on Azure, without leaving Slack.';
  const list = SUBCOMMANDS.map((c) => `• \`/oslayer ${c.usage}\` — ${c.summary}`).join('\n');
  return {
    text: `${intro}\n${list}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: intro } },
      { type: 'section', text: { type: 'mrkdwn', text: list } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'Start with `/oslayer add-version`; each step is reported in the notification channel.' }],
      },
    ],
  };
}

function truncate(s: string, n: number): string {
  const clean = s.replace(/[`\n\r]/g, ' ');
  return clean.length > n ? `${clean.slice(0, n - 1)}…` : clean;
}
