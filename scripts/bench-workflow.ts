/**
 * Part of `npm run bench`: how many Entra ID token requests, OpenID metadata requests and ARM
 * requests one finished workflow takes (Create Version → publish → Deploy for me → Shutdown for
 * Finalize → Finalize → deployable), counted by the ARM simulator. The bot runs in-process in
 * sandbox mode with the production watch interval; the jobs are started the way the buttons
 * start them (claim, then the job).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatorControl } from '../src/sandbox/azure/control-client.js';
import type { RequestCounts } from '../src/sandbox/azure/throttle.js';
import { GIB, MIB } from '../src/azure/vhd.js';
import type { Config } from '../src/config.js';
import type { LayerVersion } from '../src/domain/model.js';
import { FakeSlackWebApi } from '../src/sandbox/slack/web-api.js';
import { createLogger } from '../src/logger.js';
import { startBot } from '../src/runtime.js';
import { DEMO_LAYER_NAME } from '../src/sandbox/index.js';
import type { Services } from '../src/services.js';
import { createVersion } from '../src/workflow/create-version.js';
import { endClaimKey, endClaimOwner, FINALIZE_JOB } from '../src/workflow/finalize-steps.js';
import { claimMachine, DEPLOY_MACHINE_JOB, deployClaimKey, MACHINE_ACTION_JOB } from '../src/workflow/machine-jobs.js';
import { TaskRun } from '../src/workflow/task-run.js';

const USER = 'UBENCH';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function statusIs(services: Services, versionId: string, status: LayerVersion['status']) {
  return async () => ((await services.repos.versions.get(versionId))?.status === status ? true : undefined);
}

export interface WorkflowRequests {
  /** What starting the bot asked (the sandbox registers its connector and demo layer). */
  startup: RequestCounts;
  /** What one workflow asked, from Create Version to deployable. */
  workflow: RequestCounts;
}

/** Runs one workflow on a fresh bot and answers what the simulator counted before and while it ran. */
export async function countWorkflowRequests(mongodbUri: string): Promise<WorkflowRequests> {
  const slack = new FakeSlackWebApi('xoxb-bench');
  const apiUrl = await slack.listen();
  const config: Config = {
    slack: { botToken: 'xoxb-bench', signingSecret: 'bench-signing-secret', apiUrl },
    port: 0,
    admins: [USER],
    mongodbUri,
    dataDir: mkdtempSync(join(tmpdir(), 'oslayer-bench-workflow-')),
    sandbox: { enabled: true },
    logLevel: 'error',
    logFormat: 'json',
    jobs: {
      publish: { templateSasDays: 7, copyPollIntervalMs: 200 },
      watch: { intervalMs: 30_000, runningReminderMs: 8 * 3_600_000, noMachineReminderMs: 24 * 3_600_000, agentReportTimeoutMs: 15 * 60_000 },
      // The workflow counted here installs no updates; the production defaults.
      updates: { rounds: 5, installTimeoutSeconds: 90 * 60, searchTimeoutSeconds: 30 * 60, agentPollMs: 5_000, agentWaitMs: 20 * 60_000 },
      lockLifetimeMs: 30_000,
    },
    retention: { taskDays: 180, auditDays: 365 },
    messageUpdateIntervalMs: 3000,
  };
  const bot = await startBot(config, createLogger('error', () => undefined));
  try {
    const { services } = bot;
    const control = new SimulatorControl(bot.sandbox!.simulator);
    await control.settings({ runCommandMs: 300 });
    const startup = await control.requestCounts(true);

    const layer = (await services.repos.layers.findOne({ name: DEMO_LAYER_NAME }))!;
    const created = await createVersion(services, {
      layerId: layer._id,
      name: 'bench-1',
      description: 'request count benchmark',
      baseVersionId: layer.latestVersionId!,
      // The smallest disk Compute lets one upload into.
      maxLayerSizeGb: (20 * MIB) / GIB,
      connectorId: layer.connectorId,
      packagingDiskFilename: 'bench-1.vhd',
      requestedBy: USER,
    });
    if (!created.ok) throw new Error(created.message);
    const { version, task } = created;
    await waitFor('Action Required', statusIs(services, version._id, 'action-required'));

    await services.repos.claims.tryClaim(deployClaimKey(version._id), USER);
    await services.scheduler.agenda.now(DEPLOY_MACHINE_JOB, { taskId: task._id, userId: USER });
    await waitFor('the machine', async () => ((await services.repos.versions.get(version._id))?.packagingMachine?.vmId ? true : undefined));
    await waitFor('its agent', async () => ((await (await TaskRun.load(services, task._id))!.azure().machines.getVm('bench-1'))?.agentReady ? true : undefined));

    await claimMachine(services.repos, version._id, 'shutdown', USER);
    await services.scheduler.agenda.now(MACHINE_ACTION_JOB, { taskId: task._id, action: 'shutdown', userId: USER });
    await waitFor('Ready to Finalize', statusIs(services, version._id, 'ready-to-finalize'));

    await services.repos.claims.tryClaim(endClaimKey(version._id), endClaimOwner('finalize', USER));
    await (await TaskRun.load(services, task._id))!.moveVersion({ type: 'finalize-started' });
    await services.scheduler.agenda.now(FINALIZE_JOB, { taskId: task._id });
    await waitFor('deployable', statusIs(services, version._id, 'deployable'));
    return { startup, workflow: await control.requestCounts() };
  } finally {
    await bot.stop();
    await slack.close();
  }
}
