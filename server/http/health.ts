/**
 * Readiness for GET /healthz: `starting` until main.ts has the database and the HTTP
 * server up, then `ok` with the database kind, then `stopping` once shutdown begins.
 * Load balancers take 503 as "send no traffic here".
 */
import { Router } from 'express';
import type { DbKind } from '../db';

export type HealthReport = { status: 'ok'; db: DbKind } | { status: 'starting' | 'stopping' };
export type HealthProbe = () => HealthReport;

/** The state main.ts flips as the process starts and stops. */
export function createHealth() {
  let report: HealthReport = { status: 'starting' };
  return {
    probe: (() => report) as HealthProbe,
    ready(db: DbKind) {
      report = { status: 'ok', db };
    },
    stopping() {
      report = { status: 'stopping' };
    },
  };
}

export function healthRoutes(probe: HealthProbe): Router {
  const router = Router();
  // GET /healthz: 200 once ready, 503 while starting or stopping; never cached.
  router.get('/healthz', (_req, res) => {
    const report = probe();
    res.set('Cache-Control', 'no-store');
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  });
  return router;
}
