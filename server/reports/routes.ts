/**
 * URL map of the reports backbone: the overview, sites compared and drill-down pages
 * (signed-in staff: sessionRouter guards /reports with requireStaff and CSRF) and the JSON
 * summary API (API key). Trends and comments mount their own routers.
 */
import { Router } from 'express';
import { requireApiKey } from '../auth';
import { showCompare, showDrilldown, showOverview } from './handlers';
import { summaryApi } from './summary-api';

export function reportRoutes(): Router {
  const router = Router();
  router.get('/reports', showOverview);
  router.get('/reports/sites', showCompare);
  router.get('/reports/drilldown', showDrilldown);

  router.get('/api/v1/reports/summary', requireApiKey(), summaryApi);
  return router;
}
