import type { AnyBlock } from '@slack/types';
import { AUTOPILOT_ACTOR, autopilotRemedy, autopilotVersionName, stepsFrom } from '../../src/domain/autopilot.js';
import { INTEGRITY_CONDITIONS } from '../../src/domain/integrity.js';
import { taskRecord } from '../support/records.js';
import { escapeMrkdwn, mention, mrkdwn } from '../../views/blocks.js';
import { checkBlockKitLimits } from '../../views/limits.js';
import { TASK_ACTIONS, taskMessage } from '../../views/task-message.js';

describe('an autopilot version name', () => {
  // 2026-12-08 01:30 UTC is still 7 December in New York: the day is the schedule's.
  const at = new Date('2026-12-08T01:30:00Z');

  it('is the month, then the day in the schedule\'s time zone, then the day with a counter', () => {
    expect(autopilotVersionName(at, 'Europe/Berlin', [], false)).toBe('2026-12');
    expect(autopilotVersionName(at, 'Europe/Berlin', ['2026-12'], false)).toBe('2026-12-08');
    expect(autopilotVersionName(at, 'America/New_York', ['2026-12'], false)).toBe('2026-12-07');
    expect(autopilotVersionName(at, 'UTC', ['2026-12', '2026-12-08'], false)).toBe('2026-12-08-2');
    expect(autopilotVersionName(at, 'UTC', ['2026-12', '2026-12-08', '2026-12-08-2'], false)).toBe('2026-12-08-3');
  });

  it('compares names as the store does, whatever their case', () => {
    expect(autopilotVersionName(at, 'UTC', ['2026-12'.toUpperCase()], false)).toBe('2026-12-08');
  });

  it('with a gallery, never maps to an image version another version of the layer has', () => {
    // 2026.12.0 is taken by a version named by hand; 2026-12-08 → 2026.12.8 is free.
    expect(autopilotVersionName(at, 'UTC', ['2026.12'], true)).toBe('2026-12-08');
    // Every later candidate maps to 2026.12.8 as well (Major.Minor.Patch are the first three numbers).
    expect(autopilotVersionName(at, 'UTC', ['2026-12', '2026-12-08'], true)).toBeNull();
    expect(autopilotVersionName(at, 'UTC', ['2026-12', '2026-12-08'], false)).toBe('2026-12-08-2');
  });
});

describe('what autopilot fixes by itself', () => {
  it('restarts and expedites NGen; RunOnce, a domain join and what needs a person stay for a person', () => {
    const fixed = Object.fromEntries(INTEGRITY_CONDITIONS.map((c) => [c, autopilotRemedy(c) ?? null]));
    expect(fixed).toEqual({
      driverRebootPending: 'reboot',
      deviceRestartPending: 'reboot',
      rebootPending: 'reboot',
      windowsUpdateRebootRequired: 'reboot',
      updateAgentRebootRequired: 'reboot',
      fileRenamesPending: 'reboot',
      computerRenamePending: 'reboot',
      domainJoinPending: null,
      msiInProgress: null,
      installerInProgress: null,
      ngenInProgress: 'expedite-ngen',
      runOnce: null,
      smsCfgPresent: null,
    });
    // A condition an earlier release stored, which this one does not know, is never "fixed".
    expect(autopilotRemedy('ngenQueued')).toBeUndefined();
    expect(autopilotRemedy('constructor')).toBeUndefined();
  });

  it('resumes from the recorded step, and from the start without one', () => {
    expect(stepsFrom('shutdown')).toEqual(['shutdown', 'finalize']);
    expect(stepsFrom(undefined)[0]).toBe('create-version');
  });
});

describe('autopilot in Slack', () => {
  it('is named, never mentioned as a user that does not exist', () => {
    expect(mention(AUTOPILOT_ACTOR)).toBe(':robot_face: autopilot');
    expect(mention('U012AB3CD')).toBe('<@U012AB3CD>');
  });

  const now = new Date('2026-12-08T10:00:00Z');
  const task = taskRecord({ _id: 'task-1', layerId: 'layer-1', versionId: 'v-1', steps: [], slack: { channel: 'C1', ts: '1.2' }, startedBy: AUTOPILOT_ACTOR, createdAt: now, updatedAt: now });
  const version = { name: '2026-12', status: 'action-required' as const, maxLayerSizeGb: 100, packagingDiskFilename: 'w-2026-12-packaging.vhd', packagingMachine: { name: 'w-2026-12', resourceGroup: 'rg' } };
  const elements = (blocks: AnyBlock[]) => blocks.filter((b) => b.type === 'actions').flatMap((b) => (b as { elements: Array<{ action_id: string; text: { text: string } }> }).elements);

  it('a running run says autopilot is at work and asks nobody to act', () => {
    const message = taskMessage({ task, layer: { name: 'Windows 11' }, version, autopilotAt: 'Install updates', now });
    const json = JSON.stringify(message.blocks);
    expect(json).toContain(':robot_face: *Autopilot is building this version*, now at: Install updates.');
    expect(json).not.toContain('waiting for you');
    expect(json).toContain('Started by :robot_face: autopilot');
    expect(json).not.toContain('<@autopilot>');
  });

  it('a stopped run says where and why, and offers Retry from that step beside Cancel; the plain Retry is not offered twice', () => {
    const reason = mrkdwn`installing updates stopped: ${escapeMrkdwn('KB5048656 <Windows & .NET>')}: it failed twice.`;
    const failed = { ...version, status: 'failed' as const };
    const message = taskMessage({ task: { ...task, status: 'failed', failureReason: 'x' }, layer: { name: 'Windows 11' }, version: failed, retryable: true, autopilotStopped: { step: 'Install updates', reason }, now });
    const json = JSON.stringify(message.blocks);
    expect(json).toContain(':octagonal_sign: *Autopilot stopped* at Install updates: installing updates stopped: KB5048656 &lt;Windows &amp; .NET&gt;: it failed twice.');
    expect(elements(message.blocks).map((e) => [e.text.text, e.action_id])).toEqual([
      ['Retry from Install updates', TASK_ACTIONS.autopilotRetry],
      ['Cancel', TASK_ACTIONS.cancel],
      ['Clean up', TASK_ACTIONS.cleanUp],
    ]);
    expect(checkBlockKitLimits({ blocks: message.blocks }, 'message')).toEqual([]);
  });
});
