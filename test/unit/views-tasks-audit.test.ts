import { auditMessage } from '../../views/audit.js';
import { rolesModal } from '../../views/roles.js';
import { taskDetailModal, tasksMessage } from '../../views/tasks.js';
import { checkBlockKitLimits } from '../../views/limits.js';
import type { Task } from '../../src/domain/model.js';
import { escapeMrkdwn } from '../../views/blocks.js';

const now = new Date('2026-06-01T12:00:00Z');
const long = (n: number) => 'W'.repeat(n);

function task(i: number): Task {
  return {
    _id: `task-${i}`,
    kind: 'add-version',
    layerId: 'l',
    versionId: 'v',
    status: 'failed',
    steps: Array.from({ length: 80 }, (_, j) => ({ name: long(200), status: 'done' as const, startedAt: now, endedAt: now, detail: long(400) + j })),
    failureReason: long(5000),
    startedBy: 'U1',
    createdAt: now,
    updatedAt: now,
  };
}

describe('task, audit and roles views at their worst', () => {
  it('keep the task list, the task modal, the audit list and the roles modal within Block Kit limits', () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ task: task(i), layerName: long(500), versionName: long(500) }));
    expect(checkBlockKitLimits(tasksMessage(items, { scope: 'all' }), 'message')).toEqual([]);
    const modal = taskDetailModal({
      task: task(1),
      layerName: long(500),
      version: {
        name: long(500),
        status: 'failed',
        maxLayerSizeGb: 100,
        packagingDiskFilename: long(900),
        portalLink: { url: `https://portal.azure.com/#create/${long(1500)}`, expiresAt: new Date(now.getTime() + 1000) },
        lastIntegrity: { checkedAt: now, clean: false, blocking: ['driverRebootPending', 'rebootPending', 'msiInProgress', 'ngenInProgress', 'ngenQueued', 'runOnce', 'smsCfgPresent'] },
      },
      now,
    });
    expect(checkBlockKitLimits(modal, 'modal')).toEqual([]);
    expect(JSON.stringify(modal.blocks)).toContain('earlier steps');

    const entries = Array.from({ length: 100 }, (_, i) => ({ _id: `a${i}`, at: now, actor: 'U1', action: long(100), target: long(900), details: { name: long(900) } }));
    expect(checkBlockKitLimits(auditMessage(entries, { requested: 100 }), 'message')).toEqual([]);

    const assignments = Array.from({ length: 500 }, (_, i) => ({ _id: `U${i}X`, role: 'manage-os-layers' as const, assignedBy: 'U1', at: now }));
    const roles = rolesModal({ bootstrapAdmins: Array.from({ length: 200 }, (_, i) => `UBOOT${i}`), assignments, notice: escapeMrkdwn(long(4000)) });
    expect(checkBlockKitLimits(roles, 'modal')).toEqual([]);
    expect(JSON.stringify(roles.blocks)).toMatch(/…and \d+ more\."/);
  });

  it('escapes what people typed, so a name cannot ping the channel or break the layout', () => {
    const message = tasksMessage([{ task: { ...task(1), steps: [] }, layerName: '<!channel> & co', versionName: '<https://evil|x>' }], { scope: 'all' });
    const text = JSON.stringify(message.blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt; &amp; co');
  });
});
