/**
 * URL map of unsubscribing, customer-facing: no login and no CSRF token (the token in the
 * path is the secret, and RFC 8058 one-click POSTs from mail clients carry nothing else).
 * Also the target of the List-Unsubscribe header. Handlers in handlers.ts.
 */
import { Router } from 'express';
import { showUnsubscribe, submitUnsubscribe } from './handlers';

export function unsubscribeRoutes(): Router {
  const router = Router();
  router.get('/u/:token', showUnsubscribe);
  router.post('/u/:token', submitUnsubscribe);
  return router;
}
