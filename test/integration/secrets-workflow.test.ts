import type { TestBot } from '../support/bot.js';
import { useTestBot } from '../support/world.js';
import type { SlackClientSim } from '../support/interactions.js';
import { USERS } from '../support/records.js';
import { DEMO_LAYER_NAME } from '../../src/sandbox/index.js';
import { createVersion } from '../../src/workflow/create-version.js';
import { ACTION } from '../../views/ids.js';

let t: TestBot;
let sim: SlackClientSim;
useTestBot(async (w) => {
  ({ t, sim } = w);
}, { sandbox: { enabled: true } });

describe('a connector secret through a whole workflow', () => {
  it('appears in no log line, Slack call, answer, audit entry or stored error', async () => {
    const secret = t.bot.sandbox!.simulator.clientSecret;
    const { services } = t.bot;
    const admin = USERS.administrator;

    // The secret is used: a connector Test signs in with it, and publishing works through it.
    const list = await sim.command(admin, 'connectors');
    const connector = (await services.repos.connectors.list())[0]!;
    const before = sim.responses.length;
    await sim.clickInMessage(admin, list, ACTION.connectorsTest, { value: connector._id });
    await sim.waitForResponses(before + 2);
    expect(JSON.stringify(sim.responses.slice(before))).toContain('passed every check');

    const layer = (await services.repos.layers.findOne({ name: DEMO_LAYER_NAME }))!;
    const created = await createVersion(services, {
      layerId: layer._id,
      name: 'leak-check',
      description: 'whole workflow with a known secret',
      baseVersionId: layer.latestVersionId!,
      maxLayerSizeGb: 2,
      connectorId: layer.connectorId,
      packagingDiskFilename: 'leak-check.vhd',
      requestedBy: admin,
    });
    if (!created.ok) throw new Error(created.message);
    const where = await services.notifier.post(created.task._id, 'CNOTIFY1');
    await t.slack.waitForCall('chat.update', (c) => c.args.ts === where.ts && JSON.stringify(c.args.blocks).includes('Action Required'), 20_000);
    for (const text of ['tasks all', 'audit 100', 'layers', 'roles']) await sim.command(admin, text);

    const everything = {
      logs: t.logLines,
      slackCalls: t.slack.calls,
      answers: sim.ackSurfaces,
      responseUrlPosts: sim.responses,
      audit: await services.repos.audit.list(),
      tasks: await services.repos.tasks.list(),
      versions: await services.repos.versions.list(),
      connectors: await services.repos.connectors.list(),
    };
    expect(everything.logs.length).toBeGreaterThan(0);
    expect(everything.audit.map((e) => e.action)).toContain('version.create');
    for (const [where, records] of Object.entries(everything)) {
      expect({ where, leaked: JSON.stringify(records).includes(secret) }).toEqual({ where, leaked: false });
    }
    expect(t.logLines.filter((l) => /"level":"error"/.test(l))).toEqual([]);
  });
});
