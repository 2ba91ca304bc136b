/**
 * Invitation tokens: 256 bits from the CSPRNG, base64url (43 characters, safe in URLs and
 * email clients), and the SHA-256 hash that is the only form ever stored.
 */
import { hash, randomBytes } from 'node:crypto';

const TOKEN_BYTES = 32;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** `count` tokens from one CSPRNG call (ingest makes a thousand at once). */
export function newTokens(count: number): string[] {
  const bytes = randomBytes(TOKEN_BYTES * count);
  return Array.from({ length: count }, (_, i) => bytes.subarray(i * TOKEN_BYTES, (i + 1) * TOKEN_BYTES).toString('base64url'));
}

/** Hex SHA-256: a fast hash is enough for a 256-bit random secret (nothing to brute-force). */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** Rejects anything that cannot be one of our tokens before it reaches the database. */
export function looksLikeToken(token: unknown): token is string {
  return typeof token === 'string' && TOKEN_SHAPE.test(token);
}
