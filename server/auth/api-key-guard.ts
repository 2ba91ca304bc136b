/**
 * requireApiKey(): the guard of /api/v1 routes. Reads `Authorization: Bearer <key>` and
 * answers one and the same 401 whatever was wrong (no header, bad scheme, unknown or
 * revoked key), so a caller learns nothing about which part failed.
 */
import type { RequestHandler } from 'express';
import { Unauthorized } from '../errors';
import { authenticateApiKey } from './api-keys';

const MESSAGE = 'A valid API key is required: send Authorization: Bearer <key>.';

export function requireApiKey(): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    const caller = match?.[1] ? await authenticateApiKey(match[1]) : null;
    if (!caller) {
      res.set('WWW-Authenticate', 'Bearer realm="retour"');
      throw new Unauthorized(MESSAGE);
    }
    res.locals.apiKey = caller;
    next();
  };
}
