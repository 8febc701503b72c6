import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secrets handed to clients. API tokens start `wmk_`, admin keys `wma_` (recognisable in logs and
 * by secret scanners); 32 random bytes each. Only their SHA-256 is stored.
 */
export const TOKEN_PREFIX = 'wmk_';
export const ADMIN_KEY_PREFIX = 'wma_';

export function generateSecret(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** Constant-time comparison of two hex SHA-256 digests. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** What a token list shows to tell tokens apart: the prefix and four characters. */
export function secretHint(secret: string): string {
  return `${secret.slice(0, TOKEN_PREFIX.length + 4)}…`;
}
