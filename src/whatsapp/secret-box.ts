import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';

/**
 * Encryption of secrets kept in the database (WhatsApp access tokens): AES-256-GCM with a random
 * 96-bit IV, bound to a context string (the tenant id) as additional authenticated data, so a
 * ciphertext copied to another tenant's row does not decrypt. Stored as `v1.<iv>.<tag>.<data>`
 * (base64url).
 */
const VERSION = 'v1';
const KEY_FILE = 'encryption.key';

const keys = new Map<string, Buffer>();

/**
 * config.encryptionKey, or else the key in `<dataDir>/encryption.key`, created once (mode 0600)
 * by whichever process gets there first; concurrent processes end up with the same key.
 */
export function encryptionKey(config: Pick<Config, 'encryptionKey' | 'dataDir'>): Buffer {
  if (config.encryptionKey) return config.encryptionKey;
  const file = path.resolve(config.dataDir, KEY_FILE);
  let key = keys.get(file);
  if (!key) {
    key = readOrCreateKeyFile(file);
    keys.set(file, key);
  }
  return key;
}

function readOrCreateKeyFile(file: string): Buffer {
  try {
    return parseKeyFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  // Written whole under a temporary name, then linked into place: link() fails when the file
  // exists, so a reader never sees half a key and a second writer never replaces the first key.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  return parseKeyFile(file);
}

function parseKeyFile(file: string): Buffer {
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key.`);
  return key;
}

export function encryptSecret(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
  return [VERSION, ...parts].join('.');
}

/** The plaintext, or undefined when the value was encrypted with another key or context. */
export function decryptSecret(key: Buffer, stored: string, context: string): string | undefined {
  const [version, iv, tag, data] = stored.split('.');
  if (version !== VERSION || !iv || !tag || data === undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
      authTagLength: 16,
    });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]);
    return plain.toString('utf8');
  } catch {
    return undefined;
  }
}
