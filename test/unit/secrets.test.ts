import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  decryptSecret,
  encryptSecret,
  loadOrCreateSecretKey,
  reencryptSecret,
  SecretFormatError,
  SecretKeyMismatchError,
} from '../../src/secrets.js';

const key = randomBytes(32);
const MISMATCH = 'the secret key does not match the one these secrets were encrypted with; set OSLAYER_SECRET_KEY to the original key or rotate';

describe('secrets at rest', () => {
  // Long enough that the text cannot turn up in random base64 or ciphertext by chance.
  it('round-trips any text, and the stored form never contains it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 12, unit: 'grapheme' }), (plain) => {
        const stored = encryptSecret(plain, key);
        expect(stored).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
        expect(stored).not.toContain(plain);
        expect(Buffer.from(stored.split(':')[3]!, 'base64').includes(Buffer.from(plain))).toBe(false);
        expect(decryptSecret(stored, key)).toBe(plain);
      }),
    );
  });

  it('encrypts the same secret differently each time', () => {
    expect(encryptSecret('client-secret-value', key)).not.toBe(encryptSecret('client-secret-value', key));
  });

  it('rejects a stored secret whose ciphertext was altered', () => {
    const [format, iv, tag, ciphertext] = encryptSecret('client-secret-value', key).split(':');
    const altered = Buffer.from(ciphertext!, 'base64');
    altered[0] = altered[0]! ^ 1;
    expect(() => decryptSecret([format, iv, tag, altered.toString('base64')].join(':'), key)).toThrow(SecretKeyMismatchError);
  });

  it('rejects a stored secret whose tag was shortened', () => {
    const [format, iv, tag, ciphertext] = encryptSecret('client-secret-value', key).split(':');
    const shortened = Buffer.from(tag!, 'base64').subarray(0, 4).toString('base64');
    expect(() => decryptSecret([format, iv, shortened, ciphertext].join(':'), key)).toThrow(SecretFormatError);
  });

  it('says plainly when the key is not the one the secret was encrypted with', () => {
    const stored = encryptSecret('client-secret-value', key);
    expect(() => decryptSecret(stored, randomBytes(32))).toThrow(MISMATCH);
  });

  it('re-encrypts a secret under a new key', () => {
    const newKey = randomBytes(32);
    const rotated = reencryptSecret(encryptSecret('client-secret-value', key), key, newKey);
    expect(decryptSecret(rotated, newKey)).toBe('client-secret-value');
    expect(() => decryptSecret(rotated, key)).toThrow(SecretKeyMismatchError);
  });
});

describe('the secret key', () => {
  const freshDir = () => join(mkdtempSync(join(tmpdir(), 'oslayer-secrets-')), 'data');

  it('is generated once into a file only its owner can read, then reused', async () => {
    const dataDir = freshDir();
    const first = await loadOrCreateSecretKey(dataDir);
    expect(first).toHaveLength(32);
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(await loadOrCreateSecretKey(dataDir)).toEqual(first);
  });

  it('comes from the environment when given, leaving the data dir alone', async () => {
    const dataDir = freshDir();
    const fromEnv = randomBytes(32);
    expect(await loadOrCreateSecretKey(dataDir, fromEnv)).toEqual(fromEnv);
    expect(() => statSync(dataDir)).toThrow(/ENOENT/);
  });

  it('refuses a key file or environment key that is not 32 bytes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oslayer-secrets-'));
    writeFileSync(join(dataDir, 'secret.key'), randomBytes(16).toString('base64'));
    await expect(loadOrCreateSecretKey(dataDir)).rejects.toThrow(`${join(dataDir, 'secret.key')} must be 32 bytes, base64-encoded`);
    await expect(loadOrCreateSecretKey(dataDir, randomBytes(31))).rejects.toThrow('OSLAYER_SECRET_KEY must be 32 bytes');
  });
});
