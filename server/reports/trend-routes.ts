/**
 * URL map of the Trends page (signed-in staff: sessionRouter guards /reports). Handler in
 * trend-handlers.ts.
 */
import { Router } from 'express';
import { showTrends } from './trend-handlers';

export function trendRoutes(): Router {
  const router = Router();
  router.get('/reports/trends', showTrends);
  return router;
}
