/**
 * The escaping rule (README "Escaping"): whatever a person types as a name or description, and
 * whatever Azure answers, reaches Slack's mrkdwn as text — never as a mention, a channel link,
 * a URL or a broken entity — and reads back exactly as typed once Slack unescapes it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { LayerVersion, Task } from '../../src/domain/model.js';
import { escapeMrkdwn, joinMrkdwn, mention, mrkdwn, section, slackLink } from '../../views/blocks.js';
import { changelogDelivery, changelogText } from '../../views/changelog.js';
import { helpMessage } from '../../views/help.js';
import { autopilotModal, runNowAnswer, skippedFiringNote } from '../../views/autopilot.js';
import { connectorListMessage, connectorTestMessage } from '../../views/connector-list.js';
import { homeView } from '../../views/home.js';
import { layersMessage } from '../../views/layers.js';
import { taskMessage } from '../../views/task-message.js';
import { taskDetailModal, tasksMessage } from '../../views/tasks.js';
import { confirmStep } from '../../views/wizard.js';
import { connector, layer, version } from '../fixtures/views/data.js';

type Json = Record<string, unknown>;

const now = new Date(Date.UTC(2026, 5, 1));

/** Text meant to break out: Slack's control sequences, entities, and anything else. */
const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('<', '>', '&', '!', '@', '#', '|', 'h', 't', 'p', ':', '/', 'a', 'm', ';', 'l', 'g', ' '), maxLength: 40 }),
  fc.constantFrom('<!here>', '<!channel>', '<@U0ADMIN01>', '<#C0123|general>', '<https://evil.example|click>', '&amp;', '&lt;!here&gt;', 'R&D <beta>', '&'),
);

/** Every mrkdwn string a surface carries: text objects of type mrkdwn, and a message's top-level text. */
function mrkdwnTexts(surface: unknown, out: string[] = []): string[] {
  if (Array.isArray(surface)) surface.forEach((x) => mrkdwnTexts(x, out));
  else if (surface && typeof surface === 'object') {
    const o = surface as Json;
    if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
    for (const [k, v] of Object.entries(o)) if (k !== 'text' || typeof v !== 'string') mrkdwnTexts(v, out);
  }
  return out;
}

/** The bot's own markup: mentions of known user ids and date tokens. Nothing else may open a `<`. */
const BOT_MARKUP = /<@U0[A-Z0-9]+>|<!date\^\d+\^[^|<>]+\|[^<>]*>/g;

function slackUnescape(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function expectSafe(texts: string[]): void {
  for (const text of texts) {
    const rest = text.replace(BOT_MARKUP, '');
    for (const control of ['<!', '<@', '<#', '<http']) expect(rest).not.toContain(control);
    expect(rest).not.toMatch(/[<>]/);
    // Every & starts one of the three entities escapeMrkdwn writes.
    expect(rest.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
  }
}

function expectReadsAs(texts: string[], typed: string): void {
  expect(texts.map((t) => slackUnescape(t.replace(BOT_MARKUP, ''))).some((t) => t.includes(typed))).toBe(true);
}

function task(over: Partial<Task> = {}): Task {
  return { _id: 'task-1', kind: 'add-version', layerId: 'layer-1', versionId: 'layer-1-v2', status: 'failed', steps: [], startedBy: 'U0ADMIN01', createdAt: now, updatedAt: now, ...over };
}

describe('mrkdwn escaping', () => {
  it('escapes &, < and > and nothing else', () => {
    expect(escapeMrkdwn('<!here> & *bold* `code`')).toBe('&lt;!here&gt; &amp; *bold* `code`');
  });

  it('task message: names, step details and Azure errors read as typed and never become markup', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, (name, layerName, detail, azureError) => {
        const v = version('layer-1', 2, { name, packagingDiskFilename: `${name}.vhd`, status: 'failed', packagingMachine: { name, resourceGroup: 'rg' } as LayerVersion['packagingMachine'] });
        const t = task({ steps: [{ name: 'Copy the base disk', status: 'failed', startedAt: now, detail }], failureReason: azureError, retryable: true });
        const msg = taskMessage({ task: t, layer: { name: layerName }, version: v });
        const texts = [msg.text, ...mrkdwnTexts(msg.blocks)];
        expectSafe(texts);
        for (const typed of [name, detail, azureError]) expectReadsAs(texts, typed);
        const blocked = taskMessage({
          task: task({ status: 'action-required' }),
          layer: { name: layerName },
          version: { ...v, status: 'action-required' },
          integrityFailure: azureError,
          blocking: [{ text: detail, remedy: 'reboot' }],
        });
        expectSafe(mrkdwnTexts(blocked.blocks));
      }),
    );
  });

  it('lists, task detail, wizard confirm, App Home and connector messages: the same', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, (name, description, azureError) => {
        const l = layer(1, { name, description });
        const v = version(l._id, 1, { name, description, lastIntegrity: { checkedAt: now, clean: false, blocking: [], failure: azureError } as unknown as LayerVersion['lastIntegrity'] });
        const c = connector(1, { name });
        const t = task({ steps: [{ name, status: 'failed', startedAt: now, detail: azureError }], failureReason: azureError });
        const surfaces: unknown[] = [
          layersMessage([{ layer: l, versions: [v], connectorName: name }], { canManage: true }),
          tasksMessage([{ task: t, layerName: name, versionName: name }], { scope: 'all' }),
          taskDetailModal({ task: t, layerName: name, version: v, now }),
          confirmStep({ draftId: 'd', values: { versionName: name, versionDescription: description, maxLayerSizeGb: 100, packagingDiskFilename: name }, layer: l, baseVersion: v, connector: c }),
          homeView({ role: 'administrator', can: { addVersion: true, manageConnectors: true, manageRoles: true, operateJobs: true }, layers: [{ layer: l, versions: [v] }], openTasks: [{ task: t, layerName: name, versionName: name }], connectorNames: [name] }),
          connectorListMessage([c], { canManage: true }),
          connectorTestMessage(name, [{ check: 'storage-account', ok: false, detail: azureError }]),
        ];
        for (const s of surfaces) {
          const texts = mrkdwnTexts(s);
          expectSafe(texts);
        }
        expectReadsAs(mrkdwnTexts(surfaces[1]), name);
        expectReadsAs(mrkdwnTexts(surfaces[3]), description || name);
        expectReadsAs(mrkdwnTexts(surfaces[2]), azureError);
      }),
    );
  });

  it('clipping never cuts an entity in half', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('&', '<', '>', 'a'), minLength: 3000, maxLength: 3100 }), (reason) => {
        const msg = taskMessage({ task: task({ failureReason: reason }), layer: { name: 'L' }, version: version('layer-1', 2, { status: 'failed' }) });
        expectSafe(mrkdwnTexts(msg.blocks));
      }),
      { numRuns: 30 },
    );
  });
});

describe('mrkdwn by construction', () => {
  it('the mrkdwn template keeps Mrkdwn and numbers as they are, and the compiler refuses anything else', () => {
    const name = escapeMrkdwn('<!here> & co');
    expect(mrkdwn`*${name}* has ${3} updates, ${mention('U0ADMIN01')}`).toBe('*&lt;!here&gt; &amp; co* has 3 updates, <@U0ADMIN01>');
    // @ts-expect-error a plain string is user or Azure text until escapeMrkdwn says otherwise
    expect(mrkdwn`${'<!here>'}`).toBe('<!here>');
    // @ts-expect-error the block builders take only Mrkdwn
    section('<!channel>');
    expect(joinMrkdwn([mrkdwn`a`, false, undefined, mrkdwn`b`], mrkdwn` · `)).toBe('a · b');
    expect(slackLink('https://x.example/?a=1|b', 'R&D <docs>')).toBe('<https://x.example/?a=1%7Cb|R&amp;D &lt;docs&gt;>');
    expect(mention('U0ADMIN01> <!here')).toBe('<@U0ADMIN01here>');
  });

  it('no product file writes a mrkdwn text object or casts to Mrkdwn outside views/blocks.ts', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
    const files = ['src', 'views', 'commands', 'jobs']
      .flatMap((dir) => readdirSync(join(root, dir), { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name)))
      .filter((file) => !relative(root, file).startsWith('src/sandbox') && !relative(root, file).startsWith('src/local'));
    const offenders = files
      .filter((file) => relative(root, file) !== join('views', 'blocks.ts'))
      .filter((file) => /type: 'mrkdwn'|as Mrkdwn\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });

  it('autopilot: the modal, Run now’s answers and the skip note show a layer name as typed', () => {
    const run = { _id: 'r', layerId: 'l', trigger: { kind: 'run-now' as const, userId: 'U0ADMIN01' }, policy: { updateMode: 'security' as const, excludeKbs: [], maxRunMinutes: 60, channelId: 'C1', approval: 'two-person' as const }, open: true, startedAt: now, deadline: now };
    fc.assert(
      fc.property(hostile, (name) => {
        const texts = [
          ...mrkdwnTexts(autopilotModal({ layers: [{ _id: 'l', name }], layer: { _id: 'l', name }, schedule: null, nextRun: null, openRun: run }).blocks),
          runNowAnswer(name, { started: false, reason: 'no-schedule' }),
          runNowAnswer(name, { started: false, reason: 'run-open', openRun: run }),
          skippedFiringNote({ layerName: name, scheduledFor: now, openRun: run, next: now, timeZone: 'Europe/Berlin' }),
          skippedFiringNote({ layerName: name, scheduledFor: now, openRun: null, next: null, timeZone: 'Europe/Berlin' }),
        ];
        expectSafe(texts);
        if (name.trim()) expectReadsAs(texts.slice(-4), name.slice(0, 60));
      }),
    );
  });

  it('help and the changelog, in the thread and as its summary: guest text and what was typed read as typed', () => {
    fc.assert(
      fc.property(hostile, hostile, (typed, program) => {
        expectSafe(mrkdwnTexts(helpMessage(typed).blocks));
        const changelog = { comparedWith: 'packaging-machine' as const, updatesAdded: [{ kb: program, installedOn: program }], programsAdded: [{ name: program, version: program, publisher: program }], programsRemoved: [], programsUpgraded: [] };
        const texts = [changelogText(changelog, program)];
        const delivery = changelogDelivery(changelog, program, program);
        texts.push(...(delivery.kind === 'posts' ? delivery.posts : [delivery.summary]));
        expectSafe(texts);
        if (program.trim()) expectReadsAs(texts, program.slice(0, 60));
      }),
    );
  });
});
