/**
 * The key for connector secrets at rest: checking it at start, and re-encrypting every stored
 * secret under a new one (`npm run rotate-key`). Nothing here logs or returns a key or a secret.
 */
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decryptSecret, reencryptSecret, SecretKeyMismatchError } from '../secrets.js';
import type { Repositories } from '../store/repositories.js';

/** Where loadOrCreateSecretKey keeps a generated key, and where rotation leaves the old one. */
export function keyFiles(dataDir: string) {
  const current = join(dataDir, 'secret.key');
  return { current, previous: `${current}.previous`, next: `${current}.next` };
}

/** Where the key the bot uses comes from, in the words an operator would look for. */
export function keySource(opts: { fromEnv: boolean; dataDir: string }): string {
  return opts.fromEnv ? 'OSLAYER_SECRET_KEY' : `the key file ${keyFiles(opts.dataDir).current}`;
}

export class WrongSecretKeyError extends Error {
  override name = 'WrongSecretKeyError';
}

/**
 * Decrypts one stored connector secret, so a wrong key stops the bot at start with a sentence
 * saying which key to fix, instead of every Azure call failing later.
 */
export async function verifySecretKey(repos: Repositories, key: Buffer, source: string): Promise<void> {
  const connector = await repos.connectors.findOne({ 'auth.kind': 'client-secret' });
  if (connector?.auth.kind !== 'client-secret') return;
  try {
    decryptSecret(connector.auth.clientSecretEncrypted, key);
  } catch (err) {
    if (!(err instanceof SecretKeyMismatchError)) throw err;
    throw new WrongSecretKeyError(
      `${source} is not the key the stored connector secrets were encrypted with (connector "${connector.name}" cannot be decrypted). ` +
        'Set OSLAYER_SECRET_KEY to the original key, or put the original secret.key back in the data directory. ' +
        'To change keys, run `npm run rotate-key` with the current key, then start with the new one.',
    );
  }
}

export interface RotationCounts {
  /** Connectors whose secret was re-encrypted under the new key. */
  rotated: number;
  /** Already under the new key (a rotation that stopped half-way and was run again). */
  alreadyRotated: number;
  /** Connectors without a stored secret (managed identity). */
  withoutSecret: number;
}

/**
 * Re-encrypts every connector secret from `oldKey` to `newKey`. Every secret is checked first,
 * so a wrong old key changes nothing; a secret already under the new key is left as it is, so
 * running it again after an interruption finishes the job.
 */
export async function reencryptConnectorSecrets(repos: Repositories, oldKey: Buffer, newKey: Buffer): Promise<RotationCounts> {
  const connectors = await repos.connectors.list();
  const counts: RotationCounts = { rotated: 0, alreadyRotated: 0, withoutSecret: 0 };
  const pending: Array<{ id: string; clientId: string; encrypted: string }> = [];
  for (const c of connectors) {
    if (c.auth.kind !== 'client-secret') {
      counts.withoutSecret++;
      continue;
    }
    if (decryptsWith(c.auth.clientSecretEncrypted, newKey)) {
      counts.alreadyRotated++;
      continue;
    }
    if (!decryptsWith(c.auth.clientSecretEncrypted, oldKey)) {
      throw new WrongSecretKeyError(`the current key does not decrypt the secret of connector "${c.name}"; nothing was changed`);
    }
    pending.push({ id: c._id, clientId: c.auth.clientId, encrypted: reencryptSecret(c.auth.clientSecretEncrypted, oldKey, newKey) });
  }
  for (const p of pending) {
    await repos.connectors.update(p.id, { auth: { kind: 'client-secret', clientId: p.clientId, clientSecretEncrypted: p.encrypted }, updatedAt: new Date() });
    counts.rotated++;
  }
  return counts;
}

function decryptsWith(stored: string, key: Buffer): boolean {
  try {
    decryptSecret(stored, key);
    return true;
  } catch (err) {
    if (err instanceof SecretKeyMismatchError) return false;
    throw err;
  }
}

const KEY_BYTES = 32;

/** A key from the environment: 32 bytes in base64; the message never repeats the value. */
export function parseKey(name: string, value: string): Buffer {
  const key = Buffer.from(value.trim(), 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value.trim()) || key.length !== KEY_BYTES) {
    throw new Error(`${name} must be ${KEY_BYTES} random bytes in base64 (e.g. \`openssl rand -base64 32\`)`);
  }
  return key;
}

async function readKeyFile(path: string): Promise<Buffer | undefined> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  return text === undefined ? undefined : parseKey(path, text);
}

async function writeKeyFile(path: string, key: Buffer): Promise<void> {
  await writeFile(path, `${key.toString('base64')}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}

export interface RotationPlan {
  oldKey: Buffer;
  newKey: Buffer;
  /** Set when the key lives in the data dir: the files to switch once the store is done. */
  files?: ReturnType<typeof keyFiles>;
}

/**
 * The keys for a rotation. From the environment: OSLAYER_SECRET_KEY and OSLAYER_NEW_SECRET_KEY
 * (required: the new one must end up where the old one is kept). From the data dir: the new key
 * is OSLAYER_NEW_SECRET_KEY or generated, and written to secret.key.next before the store
 * changes, so an interrupted rotation is finished by running it again.
 */
export async function planRotation(env: { secretKey?: string; newSecretKey?: string; dataDir: string }): Promise<RotationPlan> {
  const given = env.newSecretKey ? parseKey('OSLAYER_NEW_SECRET_KEY', env.newSecretKey) : undefined;
  if (env.secretKey) {
    if (!given) {
      throw new Error('OSLAYER_SECRET_KEY is set, so the new key must come from you too: set OSLAYER_NEW_SECRET_KEY (e.g. `openssl rand -base64 32`) and run this again.');
    }
    return { oldKey: parseKey('OSLAYER_SECRET_KEY', env.secretKey), newKey: given };
  }
  const files = keyFiles(env.dataDir);
  const oldKey = await readKeyFile(files.current);
  if (!oldKey) throw new Error(`there is no key to rotate: OSLAYER_SECRET_KEY is not set and ${files.current} does not exist`);
  const unfinished = await readKeyFile(files.next);
  const newKey = given ?? unfinished ?? randomBytes(KEY_BYTES);
  if (!unfinished || !unfinished.equals(newKey)) await writeKeyFile(files.next, newKey);
  return { oldKey, newKey, files };
}

/** After the store is re-encrypted: secret.key becomes secret.key.previous and the new key takes its place. */
export async function switchKeyFiles(files: NonNullable<RotationPlan['files']>): Promise<void> {
  await copyFile(files.current, files.previous);
  await chmod(files.previous, 0o600);
  await rename(files.next, files.current);
}
