/**
 * createApp(deps): the Express app — security headers, request logging, static files,
 * locale, body parsers, routes, the 404 and error handlers. No I/O at import and no
 * listening: main.ts serves it, tests drive it with Supertest.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Config } from './config';
import { homePage } from './home/routes';
import { errorHandler, notFound } from './http/error-handler';
import { healthCheck, type HealthProbe } from './http/health';
import { chooseLocale } from './http/i18n';
import { requestLogger } from './http/request-log';
import { bodyParsers, securityHeaders } from './http/security';
import { createViewEngine } from './http/view-engine';
import type { Logger } from './logger';
import { featureRouters } from './features';

export const ROOT_DIR = path.resolve(__dirname, '..');
export const VIEWS_DIR = path.join(ROOT_DIR, 'views');
export const PUBLIC_DIR = path.join(ROOT_DIR, 'public');

export interface AppDeps {
  config: Config;
  logger: Logger;
  /** Answers GET /healthz. */
  health: HealthProbe;
  /** Feature routers (and test probes), mounted after the built-in routes, before the 404 handler. */
  routers?: Router[];
  /** In place of the product's feature routers: the submit bench measures the shared middleware alone with a stand-in. */
  features?: Router[];
}

export function createApp({ config, logger, health, routers = [], features }: AppDeps): Express {
  const app = express();
  app.set('env', config.nodeEnv);
  app.set('trust proxy', config.trustProxy);
  app.set('views', VIEWS_DIR);
  app.engine('hbs', createViewEngine(VIEWS_DIR));
  app.set('view engine', 'hbs');
  // Recompiling views and revalidating assets on every page is only worth it where someone edits them.
  const editing = config.nodeEnv === 'development';
  app.set('view cache', !editing);
  app.disable('x-powered-by');

  app.use(requestLogger(logger));
  app.use(securityHeaders(app, config));
  app.get('/healthz', healthCheck(health));
  app.use(publicFiles(editing ? 0 : '1d'));
  app.use(chooseLocale(config));
  app.use(bodyParsers());

  app.get('/', homePage);
  for (const router of features ?? featureRouters({ config, logger })) app.use(router);
  for (const router of routers) app.use(router);

  app.use(notFound());
  app.use(errorHandler(config));
  return app;
}

/**
 * The files of public/, looked up only for paths under its own top-level names (/css,
 * /js, /favicon.svg): survey pages and API calls never wait for the file system.
 */
function publicFiles(maxAge: string | number): RequestHandler {
  const serve = express.static(PUBLIC_DIR, { index: false, maxAge });
  const roots = fs.readdirSync(PUBLIC_DIR).map((name) => `/${name}`);
  return (req, res, next) => (roots.some((root) => req.path === root || req.path.startsWith(`${root}/`)) ? serve(req, res, next) : next());
}
