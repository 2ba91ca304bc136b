/**
 * The feature routers, in mounting order, and what each feature does once at start-up
 * (after the database is connected, before HTTP listens). A feature adds itself here.
 */
import type { Router } from 'express';
import type { Config } from './config';
import type { Logger } from './logger';
import { auditRoutes } from './audit/routes';
import { authRoutes, sessionRouter } from './auth/routes';
import { prepareAuth } from './auth/startup';
import { callRoutes, callUploadParser } from './calls/routes';
import { dropRetiredIndexes } from './invitations';
import { prepareDemo, type DemoStatus } from './demo';
import { mailRoutes } from './mail/routes';
import { privacyRoutes } from './privacy';
import { queueRoutes } from './queues/routes';
import { rebuildIfNoCoarseLevel, reconcilePendingRollups } from './rollups';
import { reportRoutes } from './reports';
import { commentRoutes } from './reports/comments-routes';
import { exportRoutes } from './reports/export-routes';
import { trendRoutes } from './reports/trend-routes';
import { siteRoutes } from './sites/routes';
import { surveyRoutes } from './survey';
import { loadSurveyTemplates, templateRoutes } from './templates';
import { unsubscribeRoutes } from './unsubscribe/routes';

export interface FeatureDeps {
  config: Config;
  logger: Logger;
  /** The folder of default survey templates; tests point it at a temporary one. */
  surveysDir?: string;
}

/** Routers mounted after the built-in routes and before the 404 handler. */
export function featureRouters({ config }: FeatureDeps): Router[] {
  return [
    // Customers' survey pages need no staff session.
    surveyRoutes(),
    // Then: sessions, res.locals.user and the guards of /admin, /account and /reports; the
    // call import's multipart form, which carries its CSRF token, is read between them.
    sessionRouter(config, { adminBodyParsers: [callUploadParser()] }),
    authRoutes(config),
    auditRoutes(),
    siteRoutes(),
    queueRoutes(),
    callRoutes(),
    templateRoutes(),
    reportRoutes(),
    commentRoutes(),
    exportRoutes(),
    trendRoutes(),
    mailRoutes(config),
    privacyRoutes(config),
    unsubscribeRoutes(),
  ];
}

/** What start-up work found that the process reports (the banner). */
export interface PreparedFeatures {
  /** The demo data, when the database has it (loaded now or earlier). */
  demo: DemoStatus | null;
}

/** Start-up work: seeding the first admin, the bootstrap API key, retired indexes, default survey templates, the demo data. */
export async function prepareFeatures({ config, logger, surveysDir }: FeatureDeps): Promise<PreparedFeatures> {
  await prepareAuth(config, logger);
  const retired = await dropRetiredIndexes();
  if (retired.length > 0) logger.info({ indexes: retired }, 'invitation indexes no longer used dropped');
  await loadSurveyTemplates({ dir: surveysDir, logger });
  // Rollups counted before the coarse level existed: built once, before the app serves.
  if (await rebuildIfNoCoarseLevel()) logger.info('rollups rebuilt to add the coarse level');
  // Saves a crash interrupted: their buckets are recounted before the app serves.
  const recounted = await reconcilePendingRollups();
  logger[recounted > 0 ? 'info' : 'debug']({ responses: recounted }, 'rollups recounted for responses left pending');
  // Last: the demo's queues need the survey templates.
  return { demo: await prepareDemo(config, logger) };
}
