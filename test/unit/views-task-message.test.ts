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

const STATUS_LINES: Array<[VersionStatus, string]> = [
  ['publishing', '*:hourglass_flowing_sand: Publishing · version status `publishing`*'],
    ['action-required', '*:raising_hand: Action Required · version status `action-required`*'],
    ['checking', '*:mag: Checking the layer · version status `checking`*'],
    ['ready-to-finalize', '*:checkered_flag: Ready to Finalize · version status `ready-to-finalize`*'],
    ['finalizing', '*:package: Finalizing · version status `finalizing`*'],
    ['deployable', '*:white_check_mark: Deployable · version status `deployable`*'],
    ['published', '*:frame_with_picture: Published to the gallery · version status `published`*'],
    ['failed', '*:x: Failed · version status `failed`*'],
    ['cancelled', '*:no_entry_sign: Cancelled · version status `cancelled`*'],
];

describe('the task message says where the version is', () => {
  it.each(STATUS_LINES)('%s: the status line reads %s, and the headline says the same', (status, line) => {
    const input = at(status);
    const message = taskMessage({ ...input, portalLink: PORTAL });
    expect(statusLine(message.blocks)).toBe(line);
    const label = line.slice(line.indexOf(' ') + 1, line.indexOf(' · '));
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
    expect(finalize.confirm?.text.text).toContain('will be *deleted*');
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
