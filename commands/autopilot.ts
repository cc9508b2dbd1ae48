import type { SubcommandHandler } from './types.js';
import { authorize } from '../src/slack/authorize.js';
import { autopilotView } from '../src/slack/autopilot/modal.js';
import { startAutopilotRun } from '../src/workflow/autopilot-start.js';
import { runNowAnswer } from '../views/autopilot.js';
import { ephemeral, escapeMrkdwn, joinMrkdwn, mrkdwn } from '../views/blocks.js';
import { layerNamed, typedLayerName } from './layer-name.js';

const WHAT = "change an OS layer's autopilot schedule or start a run";

/**
 * `/oslayer autopilot [layer]`: the schedule modal, on the named layer or the first;
 * `/oslayer autopilot run-now <layer>`: a run of that layer now, with its saved schedule's settings.
 */
export const autopilot: SubcommandHandler = async ({ ack, command, client, args, services }) => {
  const auth = await authorize(services, command.user_id, 'add-version', WHAT);
  if (!auth.ok) {
    await ack(ephemeral(auth.message));
    return;
  }
  const runNow = args[0]?.toLowerCase() === 'run-now';
  const wanted = typedLayerName(runNow ? args.slice(1) : args);
  if (runNow && !wanted) {
    await ack(ephemeral(mrkdwn`Name the layer: \`/oslayer autopilot run-now <layer name>\`.`));
    return;
  }
  const layer = wanted ? await layerNamed(services.repos, wanted) : undefined;
  if (wanted && !layer) {
    const names = (await services.repos.layers.list({}, { sort: { name: 1 } })).map((l) => mrkdwn`• ${escapeMrkdwn(l.name)}`);
    const known = names.length > 0 ? mrkdwn`The OS layers are:\n${joinMrkdwn(names.slice(0, 50))}` : mrkdwn`There are no OS layers yet.`;
    await ack(ephemeral(mrkdwn`There is no OS layer named “${escapeMrkdwn(wanted.slice(0, 100))}”. ${known}`));
    return;
  }
  if (runNow && layer) {
    const outcome = await startAutopilotRun(services, layer._id, { kind: 'run-now', userId: command.user_id });
    await ack(ephemeral(runNowAnswer(layer.name, outcome)));
    return;
  }
  const view = await autopilotView(services, { ...(layer ? { layerId: layer._id } : {}), defaultChannel: command.channel_id });
  if (!view) {
    await ack(ephemeral(mrkdwn`There are no OS layers yet: \`/oslayer import-layer\` registers one.`));
    return;
  }
  await ack();
  await client.views.open({ trigger_id: command.trigger_id, view });
};
