/**
 * How a command-line script starts, as the app does: configuration (with `.env`), a logger
 * named after the script, then the database. A bad setting or an unreachable database
 * prints one line naming it and exits 1, like `npm start`.
 */
import { loadConfig, type Config } from '../server/config';
import { connect, type ConnectOptions, type Database } from '../server/db';
import { StartupError } from '../server/errors';
import { createLogger, type Logger } from '../server/logger';

export interface ScriptContext {
  config: Config;
  logger: Logger;
  /** Connects (or prints why not and exits 1). */
  connectDatabase(options?: ConnectOptions): Promise<Database>;
}

function fail(err: unknown, context: string): never {
  process.stderr.write(`${err instanceof StartupError ? err.message : `${context}: ${String(err)}`}\n`);
  process.exit(1);
}

/** Loads the configuration (or prints why not and exits 1). */
export function startScript(name: string): ScriptContext {
  let config: Config;
  try {
    config = loadConfig(undefined, { envFile: '.env' });
  } catch (err) {
    fail(err, 'Bad configuration');
  }
  const logger = createLogger(config).child({ process: name });
  return {
    config,
    logger,
    connectDatabase: (options) => connect(config, logger, options).catch((err: unknown) => fail(err, `The ${name} could not connect to the database`)),
  };
}
