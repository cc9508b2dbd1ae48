import { startTestBot, type TestBot } from './bot.js';
import { SlackClientSim } from './interactions.js';
import { TaskButtons } from './task-buttons.js';
import { DEMO_LAYER_NAME } from '../../src/sandbox/index.js';
import type { Config } from '../../src/config.js';
import type { LayerVersion, OsLayer, Role } from '../../src/domain/model.js';

export interface BotWorld {
  t: TestBot;
  /** Sends interactions the way Slack's client would. */
  sim: SlackClientSim;
}

export interface SandboxWorld extends BotWorld {
  layer: OsLayer;
  base: LayerVersion;
}

/**
 * A test bot for one test file: registers beforeAll/afterAll around it and hands the world to
 * `onReady` (which may also seed what the file needs) once it runs.
 */
export function useTestBot(onReady: (world: BotWorld) => unknown, overrides: Partial<Config> = {}): void {
  let world: BotWorld | undefined;
  beforeAll(async () => {
    const t = await startTestBot(overrides);
    const sim = new SlackClientSim(t);
    await sim.start();
    world = { t, sim };
    await onReady(world);
  });
  afterAll(async () => {
    await world?.sim.stop();
    await world?.t.stop();
  });
}

export interface TaskButtonsWorld {
  t: TestBot;
  /** Publishes versions and clicks the buttons on their task messages. */
  ui: TaskButtons;
}

/**
 * A sandbox test bot and its TaskButtons for one test file: registers beforeAll/afterAll around
 * them and hands them to `onReady` (which may also prepare what the file needs) once they run.
 */
export function useTaskButtons(onReady: (world: TaskButtonsWorld) => unknown, overrides: Partial<Config> = {}): void {
  let t: TestBot | undefined;
  let ui: TaskButtons | undefined;
  beforeAll(async () => {
    t = await startTestBot({ sandbox: { enabled: true }, ...overrides });
    ui = new TaskButtons(t);
    await ui.start();
    await onReady({ t, ui });
  }, 120_000);
  afterAll(async () => {
    await ui?.stop();
    await t?.stop();
  }, 60_000);
}

/** useTestBot on the sandbox, with the demo layer, its base version, and extra users' roles; `sandbox` adds to the sandbox settings (e.g. the gallery). */
export function useSandboxWorld(onReady: (world: SandboxWorld) => unknown, roles: Record<string, Role> = {}, sandbox: Partial<Config['sandbox']> = {}): void {
  useTestBot(
    async ({ t, sim }) => {
      const { repos } = t.bot.services;
      const layer = (await repos.layers.findOne({ name: DEMO_LAYER_NAME }))!;
      const base = (await repos.versions.get(layer.latestVersionId!))!;
      for (const [userId, role] of Object.entries(roles)) {
        await repos.roles.insert({ _id: userId, role, assignedBy: 'UADMIN1', at: new Date() });
      }
      await onReady({ t, sim, layer, base });
    },
    { sandbox: { ...sandbox, enabled: true } },
  );
}
