/**
 * CSRF tokens: one random token per session (synchronizer token), sent back by forms
 * as `_csrf` or by scripts as X-CSRF-Token, compared in constant time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import './session-data';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** The session's token, created (which saves the session) when it has none yet. */
export function ensureCsrfToken(req: Request): string {
  if (!req.session.csrfToken) req.session.csrfToken = randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}

/** True when the request carries the session's token. */
export function hasValidCsrfToken(req: Request): boolean {
  const expected = req.session?.csrfToken;
  const body = req.body as { _csrf?: unknown } | undefined;
  const sent = typeof body?._csrf === 'string' ? body._csrf : req.get('x-csrf-token');
  if (!expected || typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
