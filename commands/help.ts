import type { SubcommandHandler } from './types.js';
import { helpMessage } from '../views/help.js';

export const help: SubcommandHandler = async ({ ack }) => {
  await ack({ response_type: 'ephemeral', ...helpMessage() });
};
