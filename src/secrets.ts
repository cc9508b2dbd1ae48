import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Connector secrets at rest: AES-256-GCM, one random IV per secret, stored as
 * `v1:<iv>:<tag>:<ciphertext>` (base64 parts) so a later format can sit beside this one.
 */

const FORMAT = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12; // GCM's native nonce size
const TAG_BYTES = 16;
const KEY_FILE = 'secret.key';

export class SecretKeyMismatchError extends Error {
  override name = 'SecretKeyMismatchError';
  constructor() {
    super('the secret key does not match the one these secrets were encrypted with; set OSLAYER_SECRET_KEY to the original key or rotate');
  }
}

/** A stored secret that is not in any format this version writes. */
export class SecretFormatError extends Error {
  override name = 'SecretFormatError';
}

export function encryptSecret(plain: string, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', checkedKey(key), iv);
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [FORMAT, ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64'))].join(':');
}

export function decryptSecret(stored: string, key: Buffer): string {
  const [format, iv, tag, ciphertext, ...rest] = stored.split(':');
  if (format !== FORMAT || iv === undefined || tag === undefined || ciphertext === undefined || rest.length > 0) {
    throw new SecretFormatError(`a stored secret is not in the ${FORMAT}:<iv>:<tag>:<ciphertext> format`);
  }
  const authTag = Buffer.from(tag, 'base64');
  // GCM would otherwise accept a shortened tag, which is far easier to forge.
  if (authTag.length !== TAG_BYTES) throw new SecretFormatError(`a stored secret is damaged: its tag is ${authTag.length} bytes, not ${TAG_BYTES}`);
  const decipher = createDecipheriv('aes-256-gcm', checkedKey(key), Buffer.from(iv, 'base64'), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(authTag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    // GCM cannot tell a wrong key from altered bytes; the wrong key is by far the likelier cause.
    throw new SecretKeyMismatchError();
  }
}

export function reencryptSecret(stored: string, oldKey: Buffer, newKey: Buffer): string {
  return encryptSecret(decryptSecret(stored, oldKey), newKey);
}

/**
 * The key for secrets at rest: `fromEnv` (OSLAYER_SECRET_KEY) when given, else the one kept in
 * `<dataDir>/secret.key`, else a new random key written there, readable by this user only.
 */
export async function loadOrCreateSecretKey(dataDir: string, fromEnv?: Buffer): Promise<Buffer> {
  if (fromEnv) return checkedKey(fromEnv, 'OSLAYER_SECRET_KEY');
  const path = join(dataDir, KEY_FILE);
  const existing = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing !== undefined) return checkedKey(Buffer.from(existing.trim(), 'base64'), path);
  const key = randomBytes(KEY_BYTES);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // 'wx' never overwrites: a key written meanwhile by another process wins, and is read back.
  const written = await writeFile(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' }).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return false;
      throw err;
    },
  );
  return written ? key : loadOrCreateSecretKey(dataDir);
}

function checkedKey(key: Buffer, source = 'the secret key'): Buffer {
  if (key.length !== KEY_BYTES) {
    throw new RangeError(`${source} must be ${KEY_BYTES} bytes, base64-encoded (e.g. openssl rand -base64 32); it decodes to ${key.length} bytes`);
  }
  return key;
}
