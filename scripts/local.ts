import { createLogger, lineWriter } from '../src/logger.js';
import { localConfig } from '../src/local/local-config.js';
import { startLocal } from '../src/local/run-local.js';

/** `npm run local`: the bot, the embedded store, the sandbox and a browser page standing in for Slack. */

const REFUSAL = [
  'npm run local stands in for Slack with a local page and never talks to a real Slack workspace,',
  'but SLACK_BOT_TOKEN is set in this environment. Unset it to use the local workspace',
  '(e.g. `env -u SLACK_BOT_TOKEN npm run local`), or use `npm start` to run against Slack.',
].join('\n');

function workspacePort(value: string | undefined): number {
  const text = value?.trim() || '3030';
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new Error('LOCAL_PORT must be a TCP port number (1-65535)');
  return port;
}

async function main(): Promise<void> {
  if (process.env.SLACK_BOT_TOKEN?.trim()) {
    process.stderr.write(`${REFUSAL}\n`);
    process.exit(1);
  }
  const port = workspacePort(process.env.LOCAL_PORT);
  const config = localConfig(process.env);
  const logger = createLogger(config.logLevel, await lineWriter(config.logFormat));
  const run = await startLocal({ config, logger, port });
  process.stdout.write(`\noslayer local workspace: ${run.url}/\nOpen it in a browser; Ctrl+C stops everything.\n\n`);

  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    run.stop().then(
      () => process.exit(0),
      (err: Error) => {
        logger.error('stopping failed:', err.message);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: Error) => {
  process.stderr.write(`npm run local failed: ${err.message}\n`);
  process.exit(1);
});
