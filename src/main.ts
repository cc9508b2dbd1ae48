import { formatConfigProblems, loadConfig } from './config.js';
import { createLogger, lineWriter } from './logger.js';
import { startBot } from './runtime.js';

/** Production entry: `npm start`. */
async function main(): Promise<void> {
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`${formatConfigProblems(result)}\n`);
    process.exit(1);
  }
  const logger = createLogger(result.config.logLevel, await lineWriter(result.config.logFormat));
  const bot = await startBot(result.config, logger);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: finishing running jobs, then stopping`);
    bot.stop().then(
      () => process.exit(0),
      (err: Error) => {
        logger.error('shutdown failed:', err.message);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: Error) => {
  process.stderr.write(`oslayer failed to start: ${err.message}\n`);
  process.exit(1);
});
