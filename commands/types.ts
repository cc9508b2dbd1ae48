import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Services } from '../src/services.js';

export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** A `/oslayer <name>` handler: `args` is the rest of the command text, already split. */
export type SubcommandHandler = (input: CommandArgs & { args: string[]; services: Services }) => Promise<void>;
