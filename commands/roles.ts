import type { SubcommandHandler } from './types.js';
import { authorize } from '../src/slack/authorize.js';
import { openRolesModal } from '../src/slack/roles/modal.js';
import { ephemeral } from '../views/blocks.js';

/** `/oslayer roles`: Administrators get the roles modal (who has which role, and a form to change one). */
export const roles: SubcommandHandler = async ({ ack, command, client, services }) => {
  const auth = await authorize(services, command.user_id, 'manage-roles', 'see or assign roles');
  if (!auth.ok) {
    await ack(ephemeral(auth.message));
    return;
  }
  await ack();
  await openRolesModal(services, client, command.trigger_id);
};
