/**
 * URL map of sites: the admin pages (admins only, CSRF-checked forms) and the
 * provisioning API (API key). Handlers in handlers.ts and api.ts.
 */
import { Router } from 'express';
import { csrfProtection, requireApiKey, requireRole, requireStaff } from '../auth';
import { validate } from '../http/validate';
import { listSitesApi, putSiteApi, showSiteApi } from './api';
import { showNewSite, showSite, showSites, submitNewSite, submitSite } from './handlers';
import { siteBody, siteParams } from './schemas';

export function siteRoutes(): Router {
  const router = Router();
  router.use('/admin/sites', requireStaff(), requireRole('admin'), csrfProtection());
  router.get('/admin/sites', showSites);
  router.get('/admin/sites/new', showNewSite);
  router.post('/admin/sites', submitNewSite);
  router.get('/admin/sites/:code', showSite);
  router.post('/admin/sites/:code', submitSite);

  router.use('/api/v1/sites', requireApiKey());
  router.get('/api/v1/sites', listSitesApi);
  router.get('/api/v1/sites/:code', validate({ params: siteParams }), showSiteApi);
  router.put('/api/v1/sites/:code', validate({ params: siteParams, body: siteBody }), putSiteApi);
  return router;
}
