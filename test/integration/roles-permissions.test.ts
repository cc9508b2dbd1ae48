/**
 * Every /oslayer subcommand and every button the bot's views carry, sent by each of the three
 * roles: refused exactly when src/domain/permissions.ts says so. The ids come from the tables
 * the views use (views/ids.ts ACTION, TASK_ACTIONS, the subcommand table, and the task list's
 * and App Home's own), so a new one without an expectation here fails, and an expected listener
 * that does not exist yet fails for the roles that must be refused instead of passing quietly.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestBot, type TestBot } from '../support/bot.js';
import { grantRoles, USERS } from '../support/records.js';
import { interactionSender, slashCommand } from '../support/slack-payloads.js';
import { commandBody, interactionBody } from '../../src/sandbox/slack/signature.js';
import { allows, refusal, type Permission } from '../../src/domain/permissions.js';
import type { Role } from '../../src/domain/model.js';
import { SUBCOMMANDS } from '../../commands/oslayer.js';
import { ACTION } from '../../views/ids.js';
import { TASK_ACTIONS } from '../../views/task-message.js';
import { TASK_VIEW_IDS } from '../../views/tasks.js';
import { HOME_ACTIONS } from '../../views/home.js';

/** null: anyone, no role needed. */
const COMMAND_PERMISSION: Readonly<Record<string, Permission | null>> = {
  help: null,
  'add-version': 'add-version',
  'import-layer': 'import-layer',
  layers: 'view',
  tasks: 'view',
  connectors: 'view',
  roles: 'manage-roles',
  audit: 'read-audit',
  autopilot: 'add-version',
};

/** Element ids nothing listens to by design, and why. */
const NOT_BUTTONS: Readonly<Record<string, string>> = {
  [ACTION.input]: 'the element inside input blocks; its value is read on submission',
};

const ACTION_PERMISSION: Readonly<Record<string, Permission>> = {
  [ACTION.wizardLayerSelected]: 'add-version',
  [ACTION.wizardConnectorSelected]: 'add-version',
  [ACTION.wizardBack]: 'add-version',
  [ACTION.wizardConnectorNew]: 'manage-connectors',
  [ACTION.wizardConnectorEdit]: 'manage-connectors',
  [ACTION.connectorCloudChosen]: 'manage-connectors',
  [ACTION.connectorAuthChosen]: 'manage-connectors',
  [ACTION.connectorsNew]: 'manage-connectors',
  [ACTION.connectorsEdit]: 'manage-connectors',
  [ACTION.connectorsTest]: 'manage-connectors',
  [ACTION.connectorsDelete]: 'manage-connectors',
  [ACTION.connectorsPagePrevious]: 'view',
  [ACTION.connectorsPageNext]: 'view',
  [ACTION.layersPagePrevious]: 'view',
  [ACTION.layersPageNext]: 'view',
  [ACTION.layersImport]: 'import-layer',
  [ACTION.layersAddVersion]: 'add-version',
  [ACTION.layersVersionDetails]: 'view',
  [TASK_ACTIONS.createMachine]: 'operate-machine',
  [TASK_ACTIONS.deployForMe]: 'operate-machine',
  [TASK_ACTIONS.shutdownForFinalize]: 'operate-machine',
  [TASK_ACTIONS.checkAgain]: 'operate-machine',
  [TASK_ACTIONS.reboot]: 'operate-machine',
  [TASK_ACTIONS.expediteNgen]: 'operate-machine',
  [TASK_ACTIONS.ngenUpdateForce]: 'operate-machine',
  [TASK_ACTIONS.runOnceRun]: 'operate-machine',
  [TASK_ACTIONS.runOnceRemove]: 'operate-machine',
  [TASK_ACTIONS.installUpdates]: 'operate-machine',
  [TASK_ACTIONS.retryUpdates]: 'operate-machine',
  [TASK_ACTIONS.excludeKbAndContinue]: 'operate-machine',
  [TASK_ACTIONS.stopUpdates]: 'operate-machine',
  [TASK_ACTIONS.finalize]: 'finalize',
  [TASK_ACTIONS.cancel]: 'cancel',
  [TASK_ACTIONS.cleanUp]: 'cancel',
  [TASK_ACTIONS.retry]: 'add-version',
  [TASK_ACTIONS.autopilotRetry]: 'add-version',
  [TASK_ACTIONS.promote]: 'approve-versions',
  [ACTION.layersGallerySettings]: 'set-approval-policy',
  [ACTION.autopilotLayerSelected]: 'add-version',
  [ACTION.autopilotRunNow]: 'add-version',
  [TASK_ACTIONS.rollBack]: 'approve-versions',
  [TASK_VIEW_IDS.view]: 'view',
  [TASK_VIEW_IDS.pagePrevious]: 'view',
  [TASK_VIEW_IDS.pageNext]: 'view',
  [HOME_ACTIONS.manageConnectors]: 'manage-connectors',
  [HOME_ACTIONS.roles]: 'manage-roles',
};

const ROLES: Role[] = ['administrator', 'manage-os-layers', 'approver', 'read-only'];
const REFUSAL = /You can't [^\n]*: it needs the (Administrator|Manage OS Layers or Administrator|Approver or Administrator) role, and you have (Administrator|Manage OS Layers|Approver|Read Only)\./;

let t: TestBot;
let responses: Server;
let responseBase = '';
/** Everything a case's user was shown: response_url posts by case, Slack calls by position. */
const posted = new Map<string, string[]>();
/** Resolves when Bolt has finished every listener for the request with this trigger_id. */
const settled = new Map<string, () => void>();

beforeAll(async () => {
  t = await startTestBot();
  await grantRoles(t.bot.services.repos);
  t.bot.app.use(async ({ body, next }) => {
    try {
      await next();
    } finally {
      settled.get(String((body as { trigger_id?: string }).trigger_id))?.();
    }
  });
  responses = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = (req.url ?? '').slice(1);
      posted.set(key, [...(posted.get(key) ?? []), Buffer.concat(chunks).toString('utf8')]);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => responses.listen(0, '127.0.0.1', resolve));
  responseBase = `http://127.0.0.1:${(responses.address() as AddressInfo).port}`;
});
afterAll(async () => {
  responses.closeAllConnections();
  await new Promise<void>((resolve) => responses.close(() => resolve()));
  await t.stop();
});

/**
 * Sends one request and returns all the user was shown once Bolt is done with it: the HTTP
 * answer (commands: the /oslayer listener always acks), response_url posts and Web API calls.
 * A button's HTTP answer is empty and is not waited for, because a button no listener takes
 * is only answered after Bolt's three-second timeout.
 */
async function send(user: string, body: (triggerId: string, responseUrl: string) => string, opts: { ackBody: boolean }): Promise<string> {
  const triggerId = t.slack.issueTrigger(user);
  const mark = t.slack.calls.length;
  const done = new Promise<void>((resolve) => settled.set(triggerId, resolve));
  const answer = t.post(body(triggerId, `${responseBase}/${triggerId}`));
  await done;
  const ack = opts.ackBody ? (await answer).body : '';
  const calls = t.slack.calls.slice(mark).filter((c) => c.args.user === user || c.args.channel === user || c.method.startsWith('views.'));
  return [ack, ...(posted.get(triggerId) ?? []), ...calls.map((c) => JSON.stringify(c.args))].join('\n');
}

function command(user: string, text: string): Promise<string> {
  return send(user, (triggerId, responseUrl) =>
    commandBody(slashCommand(user, text, 'CTEST01', { responseUrl, triggerId })),
    { ackBody: true },
  );
}

function click(user: string, actionId: string): Promise<string> {
  return send(user, (triggerId, responseUrl) =>
    interactionBody({
      type: 'block_actions',
      ...interactionSender(user, triggerId),
      container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'CTEST01', is_ephemeral: false },
      channel: { id: 'CTEST01', name: 'oslayer-test' },
      response_url: responseUrl,
      actions: [{ type: 'button', action_id: actionId, block_id: 'permissions_check', value: 'no-such-thing', action_ts: `${Date.now() / 1000}` }],
    }),
    { ackBody: false },
  );
}

function expectVerdict(shown: string, role: Role, permission: Permission | null): void {
  if (permission === null || allows(role, permission)) {
    expect(shown).not.toMatch(REFUSAL);
  } else {
    // The sentence names the role needed and the one the user has (the "what" differs per button).
    expect(shown).toContain(refusal(role, permission, '').split(': ')[1]);
  }
}

describe('the tables cover everything the bot offers', () => {
  it('has an expectation for every registered subcommand', () => {
    expect(Object.keys(SUBCOMMANDS).filter((name) => !(name in COMMAND_PERMISSION))).toEqual([]);
  });

  it('has an expectation for every action id in the views', () => {
    const offered = [...Object.values(ACTION), ...Object.values(TASK_ACTIONS), TASK_VIEW_IDS.view, TASK_VIEW_IDS.pagePrevious, TASK_VIEW_IDS.pageNext, ...Object.values(HOME_ACTIONS)];
    expect(offered.filter((id) => !(id in ACTION_PERMISSION) && !(id in NOT_BUTTONS))).toEqual([]);
  });
});

describe.each(ROLES)('as %s', (role) => {
  it.each(Object.entries(COMMAND_PERMISSION))('/oslayer %s', async (name, permission) => {
    expectVerdict(await command(USERS[role], name), role, permission);
  });

  it.each(Object.entries(ACTION_PERMISSION))('button %s', async (actionId, permission) => {
    expectVerdict(await click(USERS[role], actionId), role, permission);
  });
});
