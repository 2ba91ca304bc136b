/**
 * `npm run user -- create --email x@example.com --role admin|quality [--sites ABV,CAS]
 * [--name "…"] [--locale fr|en] [--generate-password]`: creates a staff account from the
 * command line, connected like the app (configuration, then the database). Prints a
 * one-time set-password link (or a generated password); never prompts.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import Joi from 'joi';
import { loadConfig } from '../server/config';
import { connect } from '../server/db';
import { AppError, StartupError } from '../server/errors';
import { createLogger } from '../server/logger';
import { hashPassword } from '../server/auth/passwords';
import { inviteForm } from '../server/auth/schemas';
import { createUser } from '../server/auth/users';
import type { InviteForm } from '../server/auth/schemas';

const USAGE = `Usage: npm run user -- create --email <address> --role admin|quality [--sites ABV,CAS] [--name "Full name"] [--locale fr|en] [--generate-password]`;

export interface Output {
  write(text: string): void;
}

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        email: { type: 'string' },
        role: { type: 'string' },
        sites: { type: 'string' },
        name: { type: 'string' },
        locale: { type: 'string' },
        'generate-password': { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const MESSAGES: Record<string, string> = {
  email: '--email must be an email address, e.g. --email lea.martin@example.com',
  role: '--role must be admin or quality',
  sites: '--sites must be site codes of 2 to 10 capital letters or digits, separated by commas, e.g. --sites ABV,CAS',
  name: '--name must be at most 100 characters',
  locale: '--locale must be fr or en',
};

/** Runs the command against the connected database; throws UsageError or AppError. */
export async function runUserCommand(argv: string[], out: Output, publicUrl: string): Promise<void> {
  const { values, positionals } = parse(argv);
  if (positionals[0] !== 'create' || positionals.length !== 1) throw new UsageError(`Unknown command: ${positionals.join(' ') || '(none)'}`);
  const { value, error } = inviteForm.validate(
    { email: values.email, role: values.role, sites: values.sites ?? '', name: values.name ?? '', locale: values.locale ?? 'fr' },
    { abortEarly: true },
  ) as Joi.ValidationResult<InviteForm>;
  if (error) {
    const field = String(error.details[0]?.path[0] ?? '');
    throw new UsageError(MESSAGES[field] ?? error.message);
  }
  const password = values['generate-password'] ? randomBytes(12).toString('base64url') : undefined;
  const passwordHash = password ? await hashPassword(password) : undefined;
  const { user, setPasswordToken } = await createUser({ ...value, passwordHash }, { type: 'system' });
  out.write(`Created ${user.role} ${user.email}${user.sites.length ? ` (sites ${user.sites.join(', ')})` : ''}.\n`);
  if (password) out.write(`Password: ${password}\n`);
  else out.write(`Send this link to choose a password (valid 7 days, works once):\n${publicUrl}/set-password?token=${setPasswordToken}\n`);
}

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(process.env, { envFile: '.env' });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  const logger = createLogger({ logLevel: config.logLevel === 'silent' ? 'silent' : 'warn' });
  try {
    parse(process.argv.slice(2));
    const database = await connect(config, logger);
    try {
      await runUserCommand(process.argv.slice(2), process.stdout, config.publicUrl);
    } finally {
      await database.disconnect();
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof AppError || err instanceof StartupError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

if (require.main === module) void main().then((code) => process.exit(code));
