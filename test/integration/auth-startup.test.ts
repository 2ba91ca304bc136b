import request from 'supertest';
import { ApiKey } from '../../server/auth/api-key-model';
import { authenticateApiKey } from '../../server/auth/api-keys';
import { prepareAuth } from '../../server/auth/startup';
import { User } from '../../server/auth/user-model';
import { AuditEntry } from '../../server/audit/model';
import { createLogger } from '../../server/logger';
import { runUserCommand, UsageError } from '../../scripts/user';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { csrfFrom, signIn } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const logger = createLogger({ logLevel: 'silent' });
const BOOTSTRAP = 'bootstrap-key-for-the-telephony-system-0001';
const { app, config } = createTestApp({
  env: { ADMIN_EMAIL: 'First.Admin@example.com', ADMIN_PASSWORD: 'the first admin password', BOOTSTRAP_API_KEY: BOOTSTRAP },
});

describe('start-up', () => {
  it('creates the first admin from ADMIN_EMAIL and ADMIN_PASSWORD, who can sign in', async () => {
    await prepareAuth(config, logger);
    const admin = await User.findOne({ email: 'first.admin@example.com' }).lean();
    expect(admin).toMatchObject({ role: 'admin', disabled: false });
    expect(admin?.passwordHash).toMatch(/^scrypt\$N=32768,r=8,p=2\$/);
    const agent = await signIn(app, 'first.admin@example.com', 'the first admin password');
    expect((await agent.get('/admin/users')).status).toBe(200);
  });

  it('does it once: a second start keeps a password the admin changed', async () => {
    const agent = await signIn(app, 'first.admin@example.com', 'the first admin password');
    const form = await agent.get('/account/password');
    await agent.post('/account/password').type('form').send({ _csrf: csrfFrom(form.text), current: 'the first admin password', password: 'a password of my own', confirm: 'a password of my own' });
    await prepareAuth(config, logger);
    expect(await User.countDocuments({ email: 'first.admin@example.com' })).toBe(1);
    await signIn(app, 'first.admin@example.com', 'a password of my own');
    expect(await AuditEntry.countDocuments({ action: 'user.create', 'actor.type': 'system' })).toBe(1);
  });

  it('stores BOOTSTRAP_API_KEY once, by its hash, and the key works', async () => {
    await prepareAuth(config, logger);
    await prepareAuth(config, logger);
    const keys = await ApiKey.find().lean();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ name: 'BOOTSTRAP_API_KEY', prefix: 'boot', revokedAt: null });
    expect(JSON.stringify(keys)).not.toContain(BOOTSTRAP);
    expect(await authenticateApiKey(BOOTSTRAP)).toEqual({ id: String(keys[0]?._id), name: 'BOOTSTRAP_API_KEY' });
  });
});

describe('npm run user -- create', () => {
  function output() {
    let text = '';
    return { out: { write: (chunk: string) => void (text += chunk) }, text: () => text };
  }

  it('creates a quality lead with sites and prints a one-time set-password link that works', async () => {
    const { out, text } = output();
    await runUserCommand(['create', '--email', 'Cli.Lead@example.com', '--role', 'quality', '--sites', 'abv,CAS', '--name', 'Cli Lead'], out, 'http://localhost:3000');
    expect(text()).toContain('Created quality cli.lead@example.com (sites ABV, CAS).');
    const link = /http:\/\/localhost:3000(\/set-password\?token=\S+)/.exec(text())?.[1] ?? '';
    expect((await request(app).get(link)).status).toBe(200);
    expect(await User.findOne({ email: 'cli.lead@example.com' }).lean()).toMatchObject({ role: 'quality', sites: ['ABV', 'CAS'], name: 'Cli Lead' });
  });

  it('prints a generated password with --generate-password', async () => {
    const { out, text } = output();
    await runUserCommand(['create', '--email', 'cli.admin@example.com', '--role', 'admin', '--generate-password'], out, 'http://localhost:3000');
    const password = /Password: (\S+)/.exec(text())?.[1] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(16);
    await signIn(app, 'cli.admin@example.com', password);
  });

  it.each([
    [['create', '--email', 'x@example.com', '--role', 'boss'], '--role must be admin or quality'],
    [['create', '--email', 'not-an-email', '--role', 'admin'], '--email must be an email address'],
    [['create', '--email', 'x@example.com', '--role', 'quality', '--sites', 'abbeville-site'], '--sites must be site codes'],
    [['remove', '--email', 'x@example.com'], 'Unknown command: remove'],
    [['create', '--email', 'x@example.com', '--role', 'admin', '--colour', 'blue'], "Unknown option '--colour'"],
  ])('refuses %j with a clear message', async (argv, message) => {
    const { out } = output();
    await expect(runUserCommand(argv, out, 'http://localhost:3000')).rejects.toThrow(UsageError);
    await expect(runUserCommand(argv, out, 'http://localhost:3000')).rejects.toThrow(message);
  });

  it('refuses an email that an account already uses', async () => {
    const { out } = output();
    await expect(runUserCommand(['create', '--email', 'CLI.LEAD@example.com', '--role', 'admin'], out, 'http://x')).rejects.toThrow(
      'An account already uses cli.lead@example.com.',
    );
  });
});
