import type { WebClient } from '@slack/web-api';
import type { Services } from '../../services.js';
import { listRoles } from '../../workflow/roles.js';
import { rolesModal } from '../../../views/roles.js';
import type { Mrkdwn } from '../../../views/blocks.js';

/** The roles modal with the assignments as they are now; `notice` says what just changed. */
export async function currentRolesModal(services: Pick<Services, 'repos' | 'config'>, notice?: Mrkdwn) {
  return rolesModal({ ...(await listRoles(services)), notice });
}

export async function openRolesModal(services: Pick<Services, 'repos' | 'config'>, client: WebClient, triggerId: string): Promise<void> {
  await client.views.open({ trigger_id: triggerId, view: await currentRolesModal(services) });
}
