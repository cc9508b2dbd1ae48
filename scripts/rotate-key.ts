/**
 * `npm run rotate-key`: re-encrypts every connector secret under a new key. Stop the bot first
 * (it holds the old key in memory). The current key is OSLAYER_SECRET_KEY or the data dir's
 * secret.key; the new one is OSLAYER_NEW_SECRET_KEY or, for a data dir key, generated.
 * The store is MONGODB_URI or the embedded FerretDB in OSLAYER_DATA_DIR. Prints counts only:
 * never a key, never a secret.
 */
import { connectDatabase } from '../src/store/database.js';
import { startEmbeddedFerretdb, type EmbeddedMongo } from '../src/store/embedded-ferretdb.js';
import { createRepositories } from '../src/store/repositories.js';
import { recordAudit } from '../src/workflow/audit.js';
import { planRotation, reencryptConnectorSecrets, switchKeyFiles } from '../src/workflow/key-rotation.js';

function setting(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

async function main(): Promise<void> {
  const dataDir = setting('OSLAYER_DATA_DIR') ?? './.data';
  const plan = await planRotation({ secretKey: setting('OSLAYER_SECRET_KEY'), newSecretKey: setting('OSLAYER_NEW_SECRET_KEY'), dataDir });

  let embedded: EmbeddedMongo | undefined;
  let uri = setting('MONGODB_URI');
  if (!uri) {
    embedded = await startEmbeddedFerretdb(dataDir);
    uri = embedded.uri;
  }
  const database = await connectDatabase(uri);
  try {
    const repos = createRepositories(database.db);
    const counts = await reencryptConnectorSecrets(repos, plan.oldKey, plan.newKey);
    await recordAudit(repos, { actor: 'rotate-key', action: 'secrets.rotate', target: 'connectors', details: { ...counts } });
    if (plan.files) await switchKeyFiles(plan.files);
    const lines = [
      `Re-encrypted ${counts.rotated} connector secret${counts.rotated === 1 ? '' : 's'} under the new key` +
        ` (${counts.alreadyRotated} already were, ${counts.withoutSecret} connector${counts.withoutSecret === 1 ? ' has' : 's have'} no stored secret).`,
      plan.files
        ? `The new key is in ${plan.files.current} (mode 0600); the old one is kept in ${plan.files.previous}. Start the bot as usual.`
        : 'Now set OSLAYER_SECRET_KEY to the value of OSLAYER_NEW_SECRET_KEY wherever the bot is configured, then start it.',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await database.close();
    await embedded?.stop();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`rotate-key failed: ${err.message}\n`);
  process.exit(1);
});
