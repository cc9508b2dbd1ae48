import type { SubcommandHandler } from './types.js';
import { authorize } from '../src/slack/authorize.js';
import { openWizard } from '../src/slack/wizard.js';
import { layerNamed, typedLayerName } from './layer-name.js';
import { ephemeral, escapeMrkdwn, mrkdwn } from '../views/blocks.js';

/** `/oslayer add-version [layer]`: the Create OS Version wizard, for the named layer or with a layer select. */
export const addVersion: SubcommandHandler = async ({ ack, command, client, args, services }) => {
  const auth = await authorize(services, command.user_id, 'add-version', 'add a version to an OS layer');
  if (!auth.ok) {
    await ack(ephemeral(auth.message));
    return;
  }
  const wanted = typedLayerName(args);
  let layerId: string | undefined;
  if (wanted) {
    const layer = await layerNamed(services.repos, wanted);
    if (!layer) {
      await ack(ephemeral(mrkdwn`There is no OS layer named “${escapeMrkdwn(wanted.slice(0, 100))}”. \`/oslayer layers\` lists them; \`/oslayer add-version\` lets you pick one.`));
      return;
    }
    layerId = layer._id;
  }
  await ack();
  await openWizard(services, client, { triggerId: command.trigger_id, userId: command.user_id, channelId: command.channel_id, layerId });
};
