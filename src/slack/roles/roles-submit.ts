import type { App } from '@slack/bolt';
import type { Role } from '../../domain/model.js';
import { ROLE_LABELS } from '../../domain/permissions.js';
import type { Services } from '../../services.js';
import { assignRole } from '../../workflow/roles.js';
import { authorize } from '../authorize.js';
import { ROLES_VIEW } from '../../../views/roles.js';
import { noticeView } from '../replies.js';
import { currentRolesModal } from './modal.js';
import { escapeMrkdwn, mention, mrkdwn } from '../../../views/blocks.js';

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && Object.hasOwn(ROLE_LABELS, value);
}

/** Assign in the roles modal: the modal is redrawn with the change, or the field says what is wrong. */
export function register(app: App, services: Services): void {
  app.view(ROLES_VIEW.callback, async ({ ack, body, view }) => {
    const actor = body.user.id;
    const auth = await authorize(services, actor, 'manage-roles', 'assign roles');
    if (!auth.ok) {
      await ack({ response_action: 'update', view: noticeView(auth.message, 'Roles') });
      return;
    }
    const values = view.state.values;
    const userId = values[ROLES_VIEW.userBlock]?.[ROLES_VIEW.userAction]?.selected_user ?? '';
    const role = values[ROLES_VIEW.roleBlock]?.[ROLES_VIEW.roleAction]?.selected_option?.value;
    if (!isRole(role)) {
      await ack({ response_action: 'errors', errors: { [ROLES_VIEW.roleBlock]: 'Choose a role.' } });
      return;
    }
    const result = await assignRole(services, { actor, userId, role });
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: { [ROLES_VIEW.userBlock]: result.message } });
      return;
    }
    const notice = mrkdwn`${mention(userId)} is now ${escapeMrkdwn(ROLE_LABELS[role])} (was ${escapeMrkdwn(ROLE_LABELS[result.previous])}).`;
    await ack({ response_action: 'update', view: await currentRolesModal(services, notice) });
  });
}
