/**
 * The autopilot schedule: its modal (one layer's schedule, when it next runs, Run now), the
 * answers to Run now, and the note a skipped firing leaves.
 */
import type { ConversationsSelect, KnownBlock, ModalView } from '@slack/types';
import type { AutopilotRun, AutopilotSchedule } from '../src/domain/autopilot.js';
import { AUTOPILOT_FIELD as F, MAX_RUN_MINUTES } from '../src/domain/autopilot-form.js';
import { describeTiming, wallClock } from '../src/domain/autopilot-timing.js';
import type { OsLayer } from '../src/domain/model.js';
import type { AutopilotStart } from '../src/workflow/autopilot-start.js';
import { DEFAULT_UPDATE_MODE, UPDATE_MODE_LABEL, UPDATE_MODES } from '../src/domain/windows-update.js';
import {
  actions,
  button,
  channelLink,
  confirmDialog,
  divider,
  escapeMrkdwn,
  input,
  joinMrkdwn,
  mention,
  modal,
  mrkdwn,
  type Mrkdwn,
  option,
  plain,
  radioButtons,
  section,
  slackTime,
  staticSelect,
  textInput,
  userText,
} from './blocks.js';
import { ACTION, BLOCK, CALLBACK, revisedBlockId } from './ids.js';

/** The zones the select offers (IANA names; any other goes in the field below it). */
const AUTOPILOT_TIME_ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Dublin',
  'Europe/Lisbon',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Amsterdam',
  'Europe/Zurich',
  'Europe/Vienna',
  'Europe/Stockholm',
  'Europe/Warsaw',
  'Europe/Helsinki',
  'Europe/Athens',
  'Europe/Istanbul',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Singapore',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Perth',
  'Australia/Sydney',
  'Pacific/Auckland',
  'America/Sao_Paulo',
  'America/Halifax',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Phoenix',
  'America/Los_Angeles',
  'Pacific/Honolulu',
] as const;
const DEFAULT_TIME_ZONE = 'UTC';

/** A new schedule's form: Patch Tuesday + 1 day at 03:00 (Microsoft's fixes to the release usually land the day after). */
const NEW_SCHEDULE = { offsetDays: 1, time: '03:00' } as const;

export interface AutopilotModalInput {
  layers: ReadonlyArray<Pick<OsLayer, '_id' | 'name'>>;
  layer: Pick<OsLayer, '_id' | 'name' | 'excludeKbs'>;
  schedule: AutopilotSchedule | null;
  /** When the saved schedule fires next (null: off or none). */
  nextRun: Date | null;
  openRun: AutopilotRun | null;
  /** The channel a new schedule posts in: where the command was typed. */
  defaultChannel?: string;
}

export function autopilotModal({ layers, layer, schedule, nextRun, openRun, defaultChannel }: AutopilotModalInput): ModalView {
  const timing = schedule?.timing;
  const zone = schedule?.timeZone ?? DEFAULT_TIME_ZONE;
  const listedZone = (AUTOPILOT_TIME_ZONES as readonly string[]).includes(zone);
  const policy = schedule?.policy;
  // A field's block_id carries the layer, so picking another layer shows that layer's values, not what Slack kept on screen.
  const id = (field: string) => revisedBlockId(field, layer._id);
  const channel: ConversationsSelect = {
    type: 'conversations_select',
    action_id: ACTION.input,
    placeholder: plain('Pick a channel'),
    filter: { include: ['public', 'private'], exclude_bot_users: true },
    ...(policy?.channelId ?? defaultChannel ? { initial_conversation: policy?.channelId ?? defaultChannel } : {}),
  };
  const blocks: KnownBlock[] = [
    {
      ...section(mrkdwn`*Layer:* ${userText(layer.name, 200)}`, BLOCK.autopilotLayer),
      accessory: staticSelect(ACTION.autopilotLayerSelected, layers.slice(0, 100).map((l) => option(l.name, l._id)), 'Another layer', layer._id),
    },
    section(scheduleStatus(schedule, nextRun, openRun), BLOCK.autopilotStatus),
    actions(BLOCK.autopilotActions, [
      button('Run now', ACTION.autopilotRunNow, {
        value: layer._id,
        style: 'primary',
        confirm: confirmDialog('Run autopilot now?', `A run of ${layer.name} starts now with the saved schedule's settings: it creates a version, a packaging machine in Azure, installs updates and stops at the approval request.`, 'Run now', { style: 'primary' }),
      }),
    ]),
    divider,
    input(id(F.enabled), 'Autopilot', radioButtons(ACTION.input, [option('On: runs start on the schedule', 'on'), option('Off: only Run now starts one', 'off')], schedule && !schedule.enabled ? 'off' : 'on')),
    input(
      id(F.timingKind),
      'When',
      radioButtons(ACTION.input, [option('Patch Tuesday (second Tuesday of the month) + days, at a time', 'patch-tuesday'), option('A cron expression', 'cron')], timing?.kind ?? 'patch-tuesday'),
    ),
    input(id(F.offsetDays), 'Days after Patch Tuesday', textInput(ACTION.input, { initial: String(timing?.kind === 'patch-tuesday' ? timing.offsetDays : NEW_SCHEDULE.offsetDays), maxLength: 2 }), {
      optional: true,
      hint: '0 to 14; for the Patch Tuesday preset.',
    }),
    input(id(F.time), 'At (HH:MM, 24-hour)', textInput(ACTION.input, { initial: timing?.kind === 'patch-tuesday' ? timing.time : NEW_SCHEDULE.time, maxLength: 5 }), {
      optional: true,
      hint: 'Local time in the time zone below. A time that a daylight-saving change skips runs as much later as the clock jumped (02:30 → 03:30); one it repeats runs once, the first time.',
    }),
    input(id(F.cron), 'Cron expression', textInput(ACTION.input, { initial: timing?.kind === 'cron' ? timing.expression : undefined, placeholder: '0 3 * * 3', maxLength: 120 }), {
      optional: true,
      hint: 'Five fields: minute hour day-of-month month day-of-week, in the time zone below; at most hourly. For "A cron expression".',
    }),
    input(id(F.timeZone), 'Time zone', staticSelect(ACTION.input, AUTOPILOT_TIME_ZONES.map((z) => option(z, z)), 'Pick a time zone', listedZone ? zone : DEFAULT_TIME_ZONE)),
    input(id(F.otherTimeZone), 'Other time zone', textInput(ACTION.input, { initial: listedZone ? undefined : zone, placeholder: 'America/Toronto', maxLength: 64 }), {
      optional: true,
      hint: 'Any IANA time zone name; when filled it is used instead of the one picked above.',
    }),
    input(id(F.updateMode), 'Updates', radioButtons(ACTION.input, UPDATE_MODES.map((mode) => option(UPDATE_MODE_LABEL[mode], mode)), policy?.updateMode ?? DEFAULT_UPDATE_MODE)),
    input(id(F.excludeKbs), 'Exclude KBs', textInput(ACTION.input, { initial: (policy?.excludeKbs ?? layer.excludeKbs ?? []).join(', '), placeholder: 'KB5041578, KB5040442', multiline: true }), {
      optional: true,
      hint: 'Never installed by a run (the layer’s own Exclude KBs as well).',
    }),
    input(id(F.maxRunMinutes), 'Longest run (minutes)', textInput(ACTION.input, { initial: String(policy?.maxRunMinutes ?? MAX_RUN_MINUTES.default), maxLength: 4 }), {
      hint: `From the start to the approval request, ${MAX_RUN_MINUTES.min}–${MAX_RUN_MINUTES.max}; past it the run stops and keeps the machine.`,
    }),
    input(id(F.channelId), 'Channel', channel, { hint: 'Where each run posts its task message and asks for approval.' }),
    input(
      id(F.approval),
      'Who may promote',
      radioButtons(
        ACTION.input,
        [option('Two people: anyone with Approve Versions but who started the run', 'two-person'), option('Single: anyone with Approve Versions', 'single')],
        policy?.approval ?? 'two-person',
      ),
    ),
  ];
  return modal({ callbackId: CALLBACK.autopilot, title: 'Autopilot', submit: 'Save', privateMetadata: layer._id, blocks });
}

/** A time as each reader's client shows it, with the schedule's own wall clock beside it. */
function firingTime(at: Date, zone: string): Mrkdwn {
  return mrkdwn`${slackTime(at, '{date_long_pretty} at {time}')} (${escapeMrkdwn(wallClock(at, zone))})`;
}

function scheduleStatus(schedule: AutopilotSchedule | null, nextRun: Date | null, openRun: AutopilotRun | null): Mrkdwn {
  const when = !schedule
    ? mrkdwn`No schedule yet: fill in the form and Save. Run now needs a saved schedule.`
    : nextRun
      ? mrkdwn`*Next run:* ${firingTime(nextRun, schedule.timeZone)} — ${escapeMrkdwn(describeTiming(schedule.timing))}.`
      : mrkdwn`*Autopilot is off* for this layer: no run starts on its own (${escapeMrkdwn(describeTiming(schedule.timing))} when on).`;
  return joinMrkdwn([when, openRun && mrkdwn`:hourglass_flowing_sand: ${openRunText(openRun)}`]);
}

/** "A run started … by the schedule / by @x is open": what holds the layer. */
function openRunText(run: AutopilotRun): Mrkdwn {
  const by = run.trigger.kind === 'schedule' ? mrkdwn`by the schedule` : mrkdwn`by ${mention(run.trigger.userId)}`;
  return mrkdwn`A run started ${slackTime(run.startedAt)} ${by} is still open; a layer has one run at a time, until it is awaiting approval or cancelled.`;
}

/** What Run now (the button or `/oslayer autopilot run-now`) answers. */
export function runNowAnswer(layerName: string, outcome: AutopilotStart): Mrkdwn {
  const name = userText(layerName, 200);
  if (outcome.started) {
    return mrkdwn`:rocket: Autopilot run of *${name}* started. Its task message will appear in ${channelLink(outcome.run.policy.channelId)}; it has until ${slackTime(outcome.run.deadline)} to reach the approval request.`;
  }
  if (outcome.reason === 'no-schedule') return mrkdwn`*${name}* has no autopilot schedule yet: set one up with \`/oslayer autopilot\` first (Run now uses its settings).`;
  // Only a schedule firing run twice meets this; Run now never does.
  if (outcome.reason === 'fired-before') return mrkdwn`Nothing started: this firing of *${name}*'s schedule already started its run.`;
  return mrkdwn`Nothing started: ${outcome.openRun ? openRunText(outcome.openRun) : mrkdwn`a run of this layer is still open.`} (*${name}*)`;
}

/** The note a firing leaves when it starts nothing because the layer's run is still open. */
export function skippedFiringNote(input: { layerName: string; scheduledFor: Date; openRun: AutopilotRun | null; next: Date | null; timeZone: string }): Mrkdwn {
  const open = input.openRun ? openRunText(input.openRun) : mrkdwn`A run of this layer is still open.`;
  const next = input.next ? mrkdwn`Next run: ${firingTime(input.next, input.timeZone)}.` : mrkdwn`Autopilot has since been turned off: no further run is scheduled.`;
  return mrkdwn`:fast_forward: Autopilot skipped the run of *${userText(input.layerName, 200)}* due ${firingTime(input.scheduledFor, input.timeZone)}. ${open} ${next}`;
}

/** What Save answers. */
export function scheduleSavedText(layerName: string, schedule: Pick<AutopilotSchedule, 'timing' | 'timeZone' | 'policy'>, nextRun: Date | null): Mrkdwn {
  const name = userText(layerName, 200);
  const when = nextRun
    ? mrkdwn`The next run starts ${firingTime(nextRun, schedule.timeZone)} (${escapeMrkdwn(describeTiming(schedule.timing))}).`
    : mrkdwn`Autopilot is off: no run starts on its own; Run now still does.`;
  return mrkdwn`Autopilot schedule of *${name}* saved. ${when} Runs post in ${channelLink(schedule.policy.channelId)}.`;
}
