import { createLogger } from '../../src/logger.js';
import { startLocal, type LocalRun } from '../../src/local/run-local.js';
import { LOCAL_USERS } from '../../src/local/workspace/directory.js';
import { freshMongoUri } from '../support/stand-ins.js';
import { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import { TEST_SIMULATOR_SETTINGS, testConfig } from '../support/bot.js';

export const [ADMIN, MANAGER, READER] = LOCAL_USERS as [typeof LOCAL_USERS[0], typeof LOCAL_USERS[0], typeof LOCAL_USERS[0]];

/**
 * `npm run local` as the tests run it: a fresh database on the test run's MongoDB (or `mongodbUri`,
 * to start again on one), a free port, logs kept in memory; the simulated Azure only when asked.
 */
export async function startTestWorkspace(opts: { sandbox?: boolean; mongodbUri?: string; dataDir?: string } = {}): Promise<LocalRun & { logLines: string[] }> {
  const logLines: string[] = [];
  const config = testConfig({
    // startLocal() puts this run's own Slack settings here.
    slack: { botToken: 'xoxb-replaced', signingSecret: 'replaced-by-start-local' },
    notifyChannel: 'C0LOCALOPS',
    admins: [ADMIN.id],
    mongodbUri: opts.mongodbUri ?? freshMongoUri('local'),
    // A restart passes the first run's: its secret key and its sandbox's saved Azure.
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    sandbox: { enabled: opts.sandbox === true },
  });

  const run = await startLocal({ config, logger: createLogger('debug', (line) => logLines.push(line)), port: 0 });
  if (run.bot.sandbox) await new SimulatorControl(run.bot.sandbox.simulator).settings(TEST_SIMULATOR_SETTINGS);
  return { ...run, logLines };
}
