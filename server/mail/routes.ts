/**
 * URL map of mail: the outbox for API keys (GET /api/v1/outbox) and for admins
 * (/admin/outbox pages). Handlers in outbox-handlers.ts.
 */
import { Router } from 'express';
import { csrfProtection, requireApiKey, requireRole, requireStaff } from '../auth';
import type { Config } from '../config';
import { validate } from '../http/validate';
import { listOutboxApi, showOutbox, showOutboxHtml, showOutboxMessage } from './outbox-handlers';
import { outboxApiQuery, outboxPageQuery } from './schemas';

export function mailRoutes(config: Pick<Config, 'smtpUrl'>): Router {
  const router = Router();
  router.get('/api/v1/outbox', requireApiKey(), validate({ query: outboxApiQuery }), listOutboxApi);

  router.use('/admin/outbox', requireStaff(), requireRole('admin'), csrfProtection());
  router.get('/admin/outbox', validate({ query: outboxPageQuery }), showOutbox(config));
  // Unknown and malformed ids alike are a 404 (getOutboxMessage answers null for both).
  router.get('/admin/outbox/:id', showOutboxMessage);
  router.get('/admin/outbox/:id/html', showOutboxHtml);
  return router;
}
