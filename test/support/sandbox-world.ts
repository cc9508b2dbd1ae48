import { startTestBot, type TestBot } from './bot.js';
import { SlackClientSim } from './interactions.js';
import { DEMO_LAYER_NAME } from '../../src/sandbox/index.js';
import type { LayerVersion, OsLayer, Role } from '../../src/domain/model.js';

export interface SandboxWorld {
  t: TestBot;
  sim: SlackClientSim;
  layer: OsLayer;
  base: LayerVersion;
}

/**
 * A sandbox bot for one test file: registers beforeAll/afterAll, gives the demo layer and its
 * base version, and stores the extra users' roles (the admin UADMIN1 comes from config).
 */
export function useSandboxWorld(onReady: (world: SandboxWorld) => void, roles: Record<string, Role> = {}): void {
  let world: SandboxWorld | undefined;
  beforeAll(async () => {
    const t = await startTestBot({ sandbox: { enabled: true } });
    const sim = new SlackClientSim(t);
    await sim.start();
    const { repos } = t.bot.services;
    const layer = (await repos.layers.findOne({ name: DEMO_LAYER_NAME }))!;
    const base = (await repos.versions.get(layer.latestVersionId!))!;
    for (const [userId, role] of Object.entries(roles)) {
      await repos.roles.insert({ _id: userId, role, assignedBy: 'UADMIN1', at: new Date() });
    }
    world = { t, sim, layer, base };
    onReady(world);
  });
  afterAll(async () => {
    await world?.sim.stop();
    await world?.t.stop();
  });
}
