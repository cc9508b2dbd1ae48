import type { SubcommandHandler } from './types.js';
import { authorize } from '../src/slack/authorize.js';
import { auditMessage } from '../views/audit.js';
import { ephemeral, mrkdwn } from '../views/blocks.js';

const DEFAULT_ENTRIES = 20;
const MAX_ENTRIES = 100;

/** `/oslayer audit [n]`: the latest n audit entries (default 20, at most 100), for Administrators, visible only to them. */
export const audit: SubcommandHandler = async ({ ack, command, args, services }) => {
  const auth = await authorize(services, command.user_id, 'read-audit', 'read the audit log');
  if (!auth.ok) {
    await ack(ephemeral(auth.message));
    return;
  }
  const [n] = args;
  if (n !== undefined && !/^\d+$/.test(n)) {
    await ack(ephemeral(mrkdwn`\`/oslayer audit [n]\`: n is how many of the latest entries to show, a whole number from 1 to ${MAX_ENTRIES} (default ${DEFAULT_ENTRIES}).`));
    return;
  }
  const asked = n === undefined ? DEFAULT_ENTRIES : Math.max(1, Number(n));
  const limit = Math.min(asked, MAX_ENTRIES);
  const entries = await services.repos.audit.list({}, { sort: { at: -1 }, limit });
  await ack({ response_type: 'ephemeral', ...auditMessage(entries, { requested: limit, ...(asked > limit ? { clampedFrom: asked } : {}) }) });
};
