/**
 * Run Command bodies (ComputeRP runCommand.json at 2024-07-01 and 2025-04-01): the action's
 * RunCommandInput, the same in both. Sources in test/fixtures/arm/SOURCES.md.
 */
import { arrayOf, object, string, type RequestBody } from './shape.js';

const parameter = object('RunCommandInputParameter', { name: string, value: string }, ['name', 'value']);

export const runCommandInput: RequestBody = {
  parameter: 'parameters',
  shape: object('RunCommandInput', { commandId: string, script: arrayOf(string), parameters: arrayOf(parameter) }, ['commandId']),
};
