/** Builds the autopilot modal for one layer from the store: its schedule, when it fires next, and any open run. */
import type { ModalView } from '@slack/types';
import type { Services } from '../../services.js';
import { nextRunOf } from '../../workflow/autopilot-schedule.js';
import { autopilotModal } from '../../../views/autopilot.js';

/** The modal for `layerId` (else the first layer by name); null when there are no layers. */
export async function autopilotView(services: Pick<Services, 'repos'>, opts: { layerId?: string; defaultChannel?: string }): Promise<ModalView | null> {
  const { repos } = services;
  const layers = await repos.layers.list({}, { sort: { name: 1 } });
  const layer = layers.find((l) => l._id === opts.layerId) ?? layers[0];
  if (!layer) return null;
  const [schedule, openRun] = await Promise.all([repos.autopilotSchedules.get(layer._id), repos.autopilotRuns.findOne({ layerId: layer._id, open: true })]);
  return autopilotModal({ layers, layer, schedule, nextRun: nextRunOf(schedule), openRun, ...(opts.defaultChannel ? { defaultChannel: opts.defaultChannel } : {}) });
}
