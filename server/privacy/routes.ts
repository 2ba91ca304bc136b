/**
 * URL map of the privacy pages: admins only, CSRF-checked forms. Handlers in handlers.ts.
 */
import { Router } from 'express';
import { csrfProtection, requireRole, requireStaff } from '../auth';
import type { Config } from '../config';
import { privacyHandlers } from './handlers';

export function privacyRoutes(config: Pick<Config, 'retentionMonths'>): Router {
  const router = Router();
  const { showPrivacy, showErasurePreview, submitErasure } = privacyHandlers(config);
  router.use('/admin/privacy', requireStaff(), requireRole('admin'), csrfProtection());
  router.get('/admin/privacy', showPrivacy);
  router.post('/admin/privacy/preview', showErasurePreview);
  router.post('/admin/privacy/erase', submitErasure);
  return router;
}
