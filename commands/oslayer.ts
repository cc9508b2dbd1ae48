import type { App } from '@slack/bolt';
import type { Services } from '../src/services.js';
import type { SubcommandHandler } from './types.js';
import { help } from './help.js';
import { addVersion } from './add-version.js';
import { importLayer } from './import-layer.js';
import { layers } from './layers.js';
import { connectors } from './connectors.js';
import { tasks } from './tasks.js';
import { roles } from './roles.js';
import { audit } from './audit.js';
import { autopilot } from './autopilot.js';
import { helpMessage } from '../views/help.js';

export const SUBCOMMANDS: Record<string, SubcommandHandler> = {
  help,
  tasks,
  roles,
  audit,
  'add-version': addVersion,
  'import-layer': importLayer,
  layers,
  connectors,
  autopilot,
};

/** `/oslayer <subcommand> [args]`: parse, then hand to the subcommand, which acks first. */
export function registerOslayerCommand(app: App, services: Services): void {
  app.command('/oslayer', async (args) => {
    const [name = 'help', ...rest] = args.command.text.trim().split(/\s+/).filter(Boolean);
    const handler = Object.hasOwn(SUBCOMMANDS, name.toLowerCase()) ? SUBCOMMANDS[name.toLowerCase()] : undefined;
    if (!handler) {
      await args.ack({ response_type: 'ephemeral', ...helpMessage(args.command.text.trim()) });
      return;
    }
    await handler({ ...args, args: rest, services });
  });
}
