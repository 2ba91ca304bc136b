/**
 * Readiness for GET /healthz: `starting` until main.ts has the database and the HTTP
 * server up, then `ok` with the database kind while the database answers, `unavailable`
 * while its connection is lost (the driver keeps reconnecting), then `stopping` once
 * shutdown begins. Load balancers take 503 as "send no traffic here".
 */
import type { RequestHandler } from 'express';
import type { DbKind } from '../db';

export type HealthReport =
  | { status: 'ok'; db: DbKind }
  | { status: 'unavailable'; db: DbKind; error: string }
  | { status: 'starting' | 'stopping' };
export type HealthProbe = () => HealthReport;

const DATABASE_LOST = 'The database cannot be reached; the app keeps trying to reconnect.';

/** The state main.ts flips as the process starts and stops. */
export function createHealth() {
  let report: HealthProbe = () => ({ status: 'starting' });
  return {
    probe: (() => report()) as HealthProbe,
    /** Ready; `available` says whether the database answers right now (absent: always). */
    ready(db: DbKind, available: () => boolean = () => true) {
      report = () => (available() ? { status: 'ok', db } : { status: 'unavailable', db, error: DATABASE_LOST });
    },
    stopping() {
      report = () => ({ status: 'stopping' });
    },
  };
}

/** GET /healthz: 200 once ready and the database answers, 503 otherwise; never cached. A route of the app itself, not a router every request walks through. */
export function healthCheck(probe: HealthProbe): RequestHandler {
  return (_req, res) => {
    const report = probe();
    res.set('Cache-Control', 'no-store');
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  };
}
