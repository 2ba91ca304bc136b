/**
 * Start-up work of staff access (run by features.ts once the database is up): the first
 * admin from ADMIN_EMAIL + ADMIN_PASSWORD and the BOOTSTRAP_API_KEY key, both idempotent,
 * plus the indexes of the auth collections.
 */
import type { Config } from '../config';
import type { Logger } from '../logger';
import { ensureBootstrapApiKey } from './api-keys';
import { ApiKey } from './api-key-model';
import { ensureFirstAdmin } from './credentials';
import { SessionRecord } from './session-store';
import { LoginThrottle } from './throttle';
import { User } from './user-model';

export async function prepareAuth(config: Pick<Config, 'admin' | 'bootstrapApiKey'>, logger: Logger): Promise<void> {
  await Promise.all([User.init(), ApiKey.init(), SessionRecord.init(), LoginThrottle.init()]);
  if (config.admin && (await ensureFirstAdmin(config.admin))) {
    logger.info({ email: config.admin.email }, 'created the first admin');
  }
  if (config.bootstrapApiKey && (await ensureBootstrapApiKey(config.bootstrapApiKey))) {
    logger.info('stored BOOTSTRAP_API_KEY as an API key');
  }
}
