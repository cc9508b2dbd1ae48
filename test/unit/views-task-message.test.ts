import type { AnyBlock } from '@slack/types';
import type { LayerVersion, Task, VersionStatus } from '../../src/domain/model.js';
import { taskStatusOf, VERSION_STATUSES } from '../../src/domain/version-status.js';
import { checkBlockKitLimits } from '../../views/limits.js';
import { TASK_ACTIONS, taskMessage } from '../../views/task-message.js';
import { taskDetailModal } from '../../views/tasks.js';

const now = new Date('2026-11-03T10:00:00Z');
const PORTAL = 'https://portal.azure.com/#create/Microsoft.Template/uri/https%3A%2F%2Fexample.blob.core.windows.net%2Ft.json';

function at(status: VersionStatus) {
  const task: Task = {
    _id: 'task-1',
    kind: 'add-version',
    layerId: 'layer-1',
    versionId: 'v-1',
    status: taskStatusOf(status),
    steps: [],
    slack: { channel: 'C1', ts: '1.2' },
    startedBy: 'UADMIN1',
    createdAt: now,
    updatedAt: now,
  };
  const version: Pick<LayerVersion, 'name' | 'status' | 'maxLayerSizeGb' | 'packagingDiskFilename' | 'packagingMachine' | 'portalLink'> = {
    name: '2026-11',
    status,
    maxLayerSizeGb: 100,
    packagingDiskFilename: '2026-11.vhd',
    packagingMachine: { name: '2026-11-packaging', resourceGroup: 'rg' },
    portalLink: { url: PORTAL, expiresAt: new Date(now.getTime() + 86_400_000) },
  };
  return { task, version, layer: { name: 'Windows 11' } };
}

type Element = { action_id?: string; text?: { text: string }; url?: string; confirm?: { text: { text: string } } };
const buttons = (blocks: AnyBlock[]): Element[] =>
  blocks.filter((b) => b.type === 'actions' && !b.block_id?.startsWith('task_remedies_')).flatMap((b) => (b as { elements: Element[] }).elements);
const names = (blocks: AnyBlock[]) => buttons(blocks).map((e) => e.text?.text);
const statusLine = (blocks: AnyBlock[]) => ((blocks[1] as { text: { text: string } }).text.text.split('\n')[0]);

// The status in words: the raw status (`action-required`) is for the code, not for people.
const STATUS_LINES: Array<[VersionStatus, string]> = [
  ['publishing', '*:hourglass_flowing_sand: Publishing*'],
  ['action-required', '*:raising_hand: Action Required*'],
  ['checking', '*:mag: Checking the layer*'],
  ['ready-to-finalize', '*:checkered_flag: Ready to Finalize*'],
  ['finalizing', '*:package: Finalizing*'],
  ['deployable', '*:white_check_mark: Deployable*'],
  ['published', '*:frame_with_picture: Published to the gallery*'],
  ['failed', '*:x: Failed*'],
  ['cancelled', '*:no_entry_sign: Cancelled*'],
];

describe('the task message says where the version is', () => {
  it.each(STATUS_LINES)('%s: the status line reads %s, and the headline says the same', (status, line) => {
    const input = at(status);
    const message = taskMessage({ ...input, portalLink: PORTAL });
    expect(statusLine(message.blocks)).toBe(line);
    const label = line.slice(line.indexOf(' ') + 1, -1);
    expect(message.text).toBe(`Add version 2026-11 to OS layer Windows 11: ${label}`);
    expect(checkBlockKitLimits({ blocks: message.blocks }, 'message')).toEqual([]);
  });

  it('covers every version status', () => {
    expect(STATUS_LINES.map(([status]) => status).sort()).toEqual([...VERSION_STATUSES].sort());
  });
});

describe('Finalize on the task message and the task detail', () => {
  it('is on the first Action Required post, next to the portal link, with a confirm that says the machine is deleted', () => {
    const { blocks } = taskMessage({ ...at('action-required'), portalLink: PORTAL });
    expect(names(blocks)).toEqual(['Create Packaging Machine', 'Finalize', 'Deploy for me', 'Shutdown for Finalize', 'Cancel']);
    const finalize = buttons(blocks).find((e) => e.action_id === TASK_ACTIONS.finalize)!;
    expect(finalize.confirm?.text.text).toContain('I check the layer first');
    expect(finalize.confirm?.text.text).toContain('will be deleted');
    expect(JSON.stringify(blocks)).toContain('3. Click *Finalize*');
  });

  it('offers nothing while the layer is checked or the version finalizes, and Finalize alone once ready', () => {
    expect(names(taskMessage(at('checking')).blocks)).toEqual([]);
    expect(JSON.stringify(taskMessage(at('checking')).blocks)).toContain('Finalize is checking the layer');
    expect(names(taskMessage(at('finalizing')).blocks)).toEqual([]);
    const ready = buttons(taskMessage(at('ready-to-finalize')).blocks);
    expect(ready.map((e) => e.text?.text)).toEqual(['Finalize', 'Cancel']);
    expect(ready[0]!.confirm?.text.text).not.toContain('check the layer first');
  });

  it.each<VersionStatus>(['action-required', 'ready-to-finalize', 'checking', 'deployable'])(
    'the task detail carries the same buttons as the message (%s)',
    (status) => {
      const input = at(status);
      const modal = taskDetailModal({ task: input.task, version: input.version, layerName: 'Windows 11', now });
      const inMessage = buttons(taskMessage({ ...input, portalLink: PORTAL }).blocks);
      expect(buttons(modal.blocks)).toEqual(inMessage);
      expect(checkBlockKitLimits(modal, 'modal')).toEqual([]);
    },
  );
});

describe('a task message read at a glance', () => {
  type Confirm = { title: { type: string; text: string }; text: { type: string; text: string }; confirm: { type: string }; deny: { type: string } };
  const allButtons = (blocks: AnyBlock[]): Array<Element & { confirm?: Confirm }> =>
    blocks.flatMap(function walk(b: any): any[] {
      if (!b || typeof b !== 'object') return [];
      const own = b.type === 'button' ? [b] : [];
      return [...own, ...Object.values(b).flatMap((v) => (Array.isArray(v) ? v.flatMap(walk) : walk(v)))];
    });

  it('asks in plain words before every button that deletes or disrupts something', () => {
    const action = at('action-required');
    const blocked = taskMessage({ ...action, machine: { state: 'running', agentReady: true }, blocking: [{ text: 'A restart is pending', remedy: 'reboot' }, { text: 'RunOnce entries', remedy: 'runonce' }] });
    const failed = at('failed');
    const cleanUp = taskMessage({ ...failed, task: { ...failed.task, failureReason: 'Finalize failed: copy refused' } });
    const byName = new Map([...allButtons(blocked.blocks), ...allButtons(cleanUp.blocks)].map((b) => [b.text?.text, b]));
    for (const name of ['Cancel', 'Finalize', 'Clean up', 'Reboot machine', 'Shutdown for Finalize', 'Run them once', 'Remove them']) {
      const confirm = byName.get(name)?.confirm;
      expect({ name, confirm: Boolean(confirm) }).toEqual({ name, confirm: true });
      for (const part of [confirm!.title, confirm!.text, confirm!.confirm, confirm!.deny]) expect(part.type).toBe('plain_text');
      expect(confirm!.text.text).not.toMatch(/[*`]/);
    }
    expect(byName.get('Clean up')!.confirm!.text.text).toContain('will be deleted');
    expect(byName.get('Reboot machine')!.confirm!.text.text).toContain('The machine restarts through Azure now');
    expect(byName.get('Shutdown for Finalize')!.confirm!.text.text).toContain('I shut it down (deallocate it)');
  });

  it('offers Create Packaging Machine and Deploy for me only until the machine exists, and the steps follow', () => {
    const running = taskMessage({ ...at('action-required'), portalLink: PORTAL, machine: { state: 'running', agentReady: true } });
    expect(names(running.blocks)).toEqual(['Finalize', 'Shutdown for Finalize', 'Cancel']);
    expect(JSON.stringify(running.blocks)).toContain('the packaging machine is created and waiting for you');
    expect(JSON.stringify(running.blocks)).not.toContain('Create Packaging Machine');
    const gone = taskMessage({ ...at('action-required'), portalLink: PORTAL, machine: { state: 'gone' } });
    expect(names(gone.blocks)).toEqual(['Create Packaging Machine', 'Finalize', 'Deploy for me', 'Shutdown for Finalize', 'Cancel']);
  });

  it('says when the task started and when it last changed, as Slack date tokens, and sizes in GiB', () => {
    const input = at('publishing');
    const changed = new Date(now.getTime() + 5 * 60_000);
    const message = taskMessage({ ...input, task: { ...input.task, status: 'running', updatedAt: changed, steps: [{ name: 'Copy the base disk', status: 'running', startedAt: now, detail: '42% copied' }] } });
    const text = JSON.stringify(message.blocks);
    expect(text).toContain(`Started by <@UADMIN1> <!date^${now.getTime() / 1000}^{date_short_pretty} {time}|2026-11-03T10:00:00.000Z>`);
    expect(text).toContain(`last changed <!date^${changed.getTime() / 1000}^{ago}|2026-11-03T10:05:00.000Z>`);
    expect(text).toContain('max layer size 100 GiB');
    expect(statusLine(message.blocks)).toBe('*:hourglass_flowing_sand: Publishing*');
    expect(JSON.stringify(message.blocks[1])).toContain('Copy the base disk: 42% copied');
  });

  it('says why a version failed even in the moment its task has not been marked failed yet', () => {
    const input = at('failed');
    const reason = "the connector's credentials were refused";
    for (const status of ['running', 'failed'] as const) {
      const message = taskMessage({ ...input, task: { ...input.task, status, failureReason: reason } });
      expect(JSON.stringify(message.blocks)).toContain(`*What went wrong:* ${reason}`);
    }
  });

  it('shows no finished step once the task waits for someone', () => {
    const input = at('action-required');
    const message = taskMessage({ ...input, task: { ...input.task, steps: [{ name: 'Publish the packaging disk', status: 'done', startedAt: now, endedAt: now }] } });
    expect(JSON.stringify(message.blocks[1])).not.toContain('Publish the packaging disk');
  });
});
