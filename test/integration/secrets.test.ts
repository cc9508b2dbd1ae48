import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectDatabase, type Database } from '../../src/store/database.js';
import { createRepositories, type Repositories } from '../../src/store/repositories.js';
import { decryptSecret, encryptSecret, SecretKeyMismatchError } from '../../src/secrets.js';
import { startBot } from '../../src/runtime.js';
import { createLogger } from '../../src/logger.js';
import { connectorRecord } from '../support/records.js';
import { testConfig } from '../support/bot.js';
import { freshMongoUri } from '../support/stand-ins.js';

const run = promisify(execFile);
const SECRET = 'azure-client-secret-7f3a9c';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'oslayer-keys-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function storeWithConnector(key: Buffer): Promise<{ uri: string; db: Database; repos: Repositories; connectorId: string }> {
  const uri = freshMongoUri('keys');
  const db = await connectDatabase(uri);
  const repos = createRepositories(db.db);
  const connector = connectorRecord({ auth: { kind: 'client-secret', clientId: 'app-1', clientSecretEncrypted: encryptSecret(SECRET, key) } });
  await repos.connectors.insert(connector);
  await repos.connectors.insert(connectorRecord({ auth: { kind: 'default-credential' } }));
  return { uri, db, repos, connectorId: connector._id };
}

async function storedSecret(repos: Repositories, id: string): Promise<string> {
  const c = await repos.connectors.get(id);
  if (c?.auth.kind !== 'client-secret') throw new Error('connector lost its secret');
  return c.auth.clientSecretEncrypted;
}

/** `npm run rotate-key`, as an operator runs it: the script in its own process, with only these settings. */
function rotateKey(env: Record<string, string>) {
  return run(process.execPath, ['--import', 'tsx', 'scripts/rotate-key.ts'], { env: { PATH: process.env.PATH ?? '', ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

describe('npm run rotate-key', () => {
  it('re-encrypts every connector secret and replaces the data dir key file, keeping the old one', async () => {
    const oldKey = randomBytes(32);
    await writeFile(join(dataDir, 'secret.key'), `${oldKey.toString('base64')}\n`, { mode: 0o600 });
    const { uri, db, repos, connectorId } = await storeWithConnector(oldKey);
    try {
      const out = await rotateKey({ MONGODB_URI: uri, OSLAYER_DATA_DIR: dataDir });
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      expect(out.stdout).toContain('Re-encrypted 1 connector secret under the new key (0 already were, 1 connector has no stored secret).');

      const newKey = Buffer.from((await readFile(join(dataDir, 'secret.key'), 'utf8')).trim(), 'base64');
      expect(newKey).toHaveLength(32);
      expect(newKey.equals(oldKey)).toBe(false);
      expect((await stat(join(dataDir, 'secret.key'))).mode & 0o777).toBe(0o600);
      expect((await readFile(join(dataDir, 'secret.key.previous'), 'utf8')).trim()).toBe(oldKey.toString('base64'));

      const stored = await storedSecret(repos, connectorId);
      expect(decryptSecret(stored, newKey)).toBe(SECRET);
      expect(() => decryptSecret(stored, oldKey)).toThrow(SecretKeyMismatchError);
      for (const printed of [out.stdout, out.stderr]) {
        expect(printed).not.toContain(newKey.toString('base64'));
        expect(printed).not.toContain(oldKey.toString('base64'));
        expect(printed).not.toContain(SECRET);
      }
      expect(await repos.audit.findOne({ action: 'secrets.rotate' })).toMatchObject({ details: { rotated: 1, withoutSecret: 1 } });
    } finally {
      await db.close();
    }
  });

  it('with OSLAYER_SECRET_KEY, asks for OSLAYER_NEW_SECRET_KEY, then rotates to it and says what to set', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const { uri, db, repos, connectorId } = await storeWithConnector(oldKey);
    try {
      const env = { MONGODB_URI: uri, OSLAYER_DATA_DIR: dataDir, OSLAYER_SECRET_KEY: oldKey.toString('base64') };
      const refused = await rotateKey(env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('set OSLAYER_NEW_SECRET_KEY');
      expect(decryptSecret(await storedSecret(repos, connectorId), oldKey)).toBe(SECRET);

      const out = await rotateKey({ ...env, OSLAYER_NEW_SECRET_KEY: newKey.toString('base64') });
      expect(out.code).toBe(0);
      expect(out.stdout).toContain('set OSLAYER_SECRET_KEY to the value of OSLAYER_NEW_SECRET_KEY');
      expect(out.stdout).not.toContain(newKey.toString('base64'));
      expect(decryptSecret(await storedSecret(repos, connectorId), newKey)).toBe(SECRET);
    } finally {
      await db.close();
    }
  });

  it('changes nothing when the current key is not the one the secrets were encrypted with', async () => {
    const realKey = randomBytes(32);
    const { uri, db, repos, connectorId } = await storeWithConnector(realKey);
    try {
      const out = await rotateKey({
        MONGODB_URI: uri,
        OSLAYER_DATA_DIR: dataDir,
        OSLAYER_SECRET_KEY: randomBytes(32).toString('base64'),
        OSLAYER_NEW_SECRET_KEY: randomBytes(32).toString('base64'),
      });
      expect(out.code).toBe(1);
      expect(out.stderr).toContain('the current key does not decrypt the secret of connector');
      expect(decryptSecret(await storedSecret(repos, connectorId), realKey)).toBe(SECRET);
    } finally {
      await db.close();
    }
  });
});

describe('start-up with the wrong key', () => {
  it.each([
    ['OSLAYER_SECRET_KEY', true, /OSLAYER_SECRET_KEY is not the key the stored connector secrets were encrypted with/],
    ['the key file', false, /the key file .*secret\.key is not the key the stored connector secrets were encrypted with/],
  ])('stops with a sentence naming %s', async (_source, fromEnv, expected) => {
    const { uri, db } = await storeWithConnector(randomBytes(32));
    await db.close();
    const wrong = randomBytes(32);
    if (!fromEnv) await writeFile(join(dataDir, 'secret.key'), `${wrong.toString('base64')}\n`, { mode: 0o600 });
    const lines: string[] = [];
    const config = testConfig({ mongodbUri: uri, dataDir, ...(fromEnv ? { secretKey: wrong } : {}) });
    await expect(startBot(config, createLogger('debug', (l) => lines.push(l)))).rejects.toThrow(expected);
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  it('starts with the right key', async () => {
    const key = randomBytes(32);
    const { uri, db } = await storeWithConnector(key);
    await db.close();
    const bot = await startBot(testConfig({ mongodbUri: uri, dataDir, secretKey: key }), createLogger('error', () => {}));
    await bot.stop();
  });
});
