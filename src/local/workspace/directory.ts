import type { Role } from '../../domain/model.js';
import { ROLE_LABELS } from '../../domain/permissions.js';
import { FAKE_BOT } from '../../sandbox/slack/web-api.js';

/** The people and the channel of the local workspace: one user per role, so each can be tried. */

export interface LocalUser {
  id: string;
  name: string;
  role: Role;
}

export interface LocalChannel {
  id: string;
  name: string;
}

export const LOCAL_USERS: readonly LocalUser[] = [
  { id: 'U0LOCALADMIN', name: 'Ada Admin', role: 'administrator' },
  { id: 'U0LOCALMANAGER', name: 'Max Manager', role: 'manage-os-layers' },
  { id: 'U0LOCALREADER', name: 'Rita Reader', role: 'read-only' },
  // Promotes what Ada or Max publish to the gallery: the two-person rule needs someone other than the creator.
  { id: 'U0LOCALAPPROVER', name: 'Alex Approver', role: 'approver' },
];

export const LOCAL_CHANNEL: LocalChannel = { id: 'C0LOCALOPS', name: 'os-layers' };

export const LOCAL_TEAM = { id: FAKE_BOT.team_id, domain: 'local' };

/** What the page needs to show names: people (with their role), the bot, and known channels. */
export function directoryForPage(users: readonly LocalUser[], channel: LocalChannel) {
  return {
    users: users.map((u) => ({ ...u, roleLabel: ROLE_LABELS[u.role] })),
    bot: { id: FAKE_BOT.user_id, name: FAKE_BOT.name },
    channels: [channel],
  };
}
