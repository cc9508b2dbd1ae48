import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../services.js';
import { authorize } from '../authorize.js';
import { HOME_ACTIONS } from '../../../views/home.js';
import { openRolesModal } from './modal.js';
import { tellUser } from '../replies.js';

/** Roles on App Home: the same modal as `/oslayer roles`. A Home tab has no conversation, so a refusal is a small modal. */
export function register(app: App, services: Services): void {
  app.action<BlockButtonAction>({ action_id: HOME_ACTIONS.roles, type: 'block_actions' }, async (args) => {
    const { ack, body, client } = args;
    await ack();
    const auth = await authorize(services, body.user.id, 'manage-roles', 'see or assign roles');
    if (!auth.ok) {
      return tellUser(args, auth.message);
    }
    await openRolesModal(services, client, body.trigger_id);
  });
}
