/**
 * The escaping rule (README "Escaping"): whatever a person types as a name or description, and
 * whatever Azure answers, reaches Slack's mrkdwn as text — never as a mention, a channel link,
 * a URL or a broken entity — and reads back exactly as typed once Slack unescapes it.
 */
import fc from 'fast-check';
import type { LayerVersion, Task } from '../../src/domain/model.js';
import { escapeMrkdwn } from '../../views/blocks.js';
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
          tasksMessage([{ task: t, layerName: name, versionName: name }], { scope: 'all', now }),
          taskDetailModal({ task: t, layerName: name, version: v, now }),
          confirmStep({ draftId: 'd', values: { versionName: name, versionDescription: description, maxLayerSizeGb: 100, packagingDiskFilename: name }, layer: l, baseVersion: v, connector: c }),
          homeView({ role: 'administrator', can: { addVersion: true, manageConnectors: true, manageRoles: true }, layers: [{ layer: l, versions: [v] }], openTasks: [{ task: t, layerName: name, versionName: name }], connectorNames: [name], now }),
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
