import { homeView, HOME_LAYERS_SHOWN, HOME_TASKS_SHOWN, type HomeInput } from '../../views/home.js';
import { checkBlockKitLimits } from '../../views/limits.js';

const now = new Date('2026-06-01T12:00:00Z');
const long = (n: number) => 'W'.repeat(n);

function crowded(layers: number, tasks: number): HomeInput {
  return {
    role: 'administrator',
    can: { addVersion: true, manageConnectors: true, manageRoles: true, operateJobs: true },
    layers: Array.from({ length: layers }, (_, i) => ({
      layer: { _id: `l${i}`, name: `${long(300)}${i}`, createdAt: new Date(now.getTime() - i * 1000) },
      versions: Array.from({ length: 12 }, (_, j) => ({ name: long(200), status: 'deployable' as const, createdAt: new Date(now.getTime() - j) })),
    })),
    openTasks: Array.from({ length: tasks }, (_, i) => ({
      task: { _id: `t${i}`, status: 'running' as const, progress: 50, startedBy: 'U1', createdAt: now, steps: [{ name: long(500), status: 'running' as const, startedAt: now }] },
      layerName: long(300),
      versionName: long(300),
    })),
    connectorNames: Array.from({ length: 500 }, (_, i) => `${long(100)}${i}`),
  };
}

describe('App Home view', () => {
  it('stays within Block Kit limits with far more layers, tasks and connectors than fit, and says where the rest are', () => {
    const view = homeView(crowded(HOME_LAYERS_SHOWN + 15, HOME_TASKS_SHOWN + 7));
    expect(checkBlockKitLimits(view, 'home')).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('…and 15 more layers, see `/oslayer layers`');
    expect(text).toContain('…and 7 more open tasks, see `/oslayer tasks`');
  });

  it('explains an empty store instead of showing empty headings', () => {
    const view = homeView({ ...crowded(0, 0), connectorNames: [], role: 'read-only', can: { addVersion: false, manageConnectors: false, manageRoles: false, operateJobs: false } });
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('There are no OS layers yet.');
    expect(text).toContain('No open tasks');
    expect(text).toContain('No connectors yet.');
    expect(text).toContain('You are *Read Only*');
  });
});
