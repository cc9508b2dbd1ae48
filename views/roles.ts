/** The roles modal (`/oslayer roles`, the Roles button on App Home): who holds which role, and a form to change one. */
import type { ModalView, UsersSelect } from '@slack/types';
import type { Role, RoleAssignment } from '../src/domain/model.js';
import { ROLE_LABELS } from '../src/domain/permissions.js';
import { context, escapeMrkdwn, input, mention, modal, mrkdwn, type Mrkdwn, option, radioButtons, section, slackDate, SLACK_LIMIT } from './blocks.js';

export const ROLES_VIEW = {
  callback: 'roles_assign',
  userBlock: 'roles_user',
  userAction: 'roles_user_select',
  roleBlock: 'roles_role',
  roleAction: 'roles_role_choice',
} as const;

const ROLE_HELP: Readonly<Record<Role, string>> = {
  administrator: 'Everything, including connectors, roles and approving versions',
  'manage-os-layers': 'Add versions, finalize and cancel them',
  approver: 'View, and promote published versions to the gallery\'s latest (Approve Versions)',
  'read-only': 'List and view only',
};

/**
 * As many lines as fit in one section, then how many were left out: clipping the text instead
 * would cut a mention or date token in half.
 */
function fitLines(lines: readonly Mrkdwn[], separator: Mrkdwn): Mrkdwn {
  const budget = SLACK_LIMIT.sectionText - 200;
  let text = mrkdwn``;
  for (const [i, line] of lines.entries()) {
    const next = text ? mrkdwn`${text}${separator}${line}` : line;
    if (next.length > budget) return mrkdwn`${text}\n…and ${lines.length - i} more.`;
    text = next;
  }
  return text;
}

/** `notice`: what just changed, in the bot's words (user text in it escaped). */
export function rolesModal(args: { bootstrapAdmins: readonly string[]; assignments: readonly RoleAssignment[]; notice?: Mrkdwn }): ModalView {
  const { bootstrapAdmins, assignments } = args;
  const bootstrap =
    bootstrapAdmins.length > 0
      ? mrkdwn`*Administrators from OSLAYER_ADMINS* (set in the bot's configuration, not changeable here)\n${fitLines(bootstrapAdmins.map(mention), mrkdwn`, `)}`
      : mrkdwn`*Administrators from OSLAYER_ADMINS*\nNone configured.`;
  const lines = assignments.map((a) => mrkdwn`• ${mention(a._id)} — ${escapeMrkdwn(ROLE_LABELS[a.role])} · by ${mention(a.assignedBy)} · ${slackDate(a.at)}`);
  const assigned = mrkdwn`*Assigned roles*\n${lines.length > 0 ? fitLines(lines, mrkdwn`\n`) : mrkdwn`Nobody has been given a role yet.`}`;
  const picker: UsersSelect = { type: 'users_select', action_id: ROLES_VIEW.userAction, placeholder: { type: 'plain_text', text: 'Choose a person' } };
  return modal({
    callbackId: ROLES_VIEW.callback,
    title: 'Roles',
    submit: 'Assign',
    close: 'Close',
    blocks: [
      ...(args.notice ? [section(mrkdwn`:white_check_mark: ${args.notice}`)] : []),
      section(bootstrap),
      section(assigned),
      context(mrkdwn`Everyone else is Read Only: they can list and view layers, versions, tasks and connectors.`),
      input(ROLES_VIEW.userBlock, 'Person', picker),
      input(
        ROLES_VIEW.roleBlock,
        'Role',
        radioButtons(
          ROLES_VIEW.roleAction,
          (Object.keys(ROLE_LABELS) as Role[]).map((role) => option(ROLE_LABELS[role], role, ROLE_HELP[role])),
        ),
      ),
    ].slice(0, SLACK_LIMIT.viewBlocks),
  });
}
