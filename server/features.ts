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
import { mailRoutes } from './mail/routes';
import { queueRoutes } from './queues/routes';
import { siteRoutes } from './sites/routes';
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
    // Before the staff-area CSRF check: the call import's multipart form carries its token in the body.
    callUploadParser(),
    // Then: sessions, res.locals.user and the guards of /admin, /account and /reports.
    sessionRouter(config),
    authRoutes(config),
    auditRoutes(),
    siteRoutes(),
    queueRoutes(),
    callRoutes(),
    templateRoutes(),
    mailRoutes(config),
    unsubscribeRoutes(),
  ];
}

/** Start-up work: seeding the first admin, the bootstrap API key, default survey templates. */
export async function prepareFeatures({ config, logger, surveysDir }: FeatureDeps): Promise<void> {
  await prepareAuth(config, logger);
  await loadSurveyTemplates({ dir: surveysDir, logger });
}
