/**
 * The feature routers, in mounting order, and what each feature does once at start-up
 * (after the database is connected, before HTTP listens). A feature adds itself here.
 */
import type { Router } from 'express';
import type { Config } from './config';
import type { Logger } from './logger';

export interface FeatureDeps {
  config: Config;
  logger: Logger;
}

/** Routers mounted after the built-in routes and before the 404 handler. */
export function featureRouters(_deps: FeatureDeps): Router[] {
  return [];
}

/** Start-up work: seeding the first admin, the bootstrap API key, default survey templates. */
export async function prepareFeatures(_deps: FeatureDeps): Promise<void> {}
