/**
 * The first run for real: server/main.ts in development on the embedded engine with an
 * empty DATA_DIR loads the full demo (about 30,000 calls) by itself and prints the URL, the demo logins and the
 * outbox; later starts and `npm run demo` load nothing more; MONGODB_URI never gets the
 * demo without DEMO=1. Needs the embedded engine (server/db/embedded).
 */
import path from 'node:path';
import { killApp, runApp, type AppProcess } from '../helpers/process';
import { startTestEngine, type TestEngine } from '../helpers/engine';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';
import { DEMO_LOGINS } from '../../server/demo';

const API_KEY = 'demo-start-test-key-0123456789';
const running: AppProcess[] = [];
const start = (env: Record<string, string>, script?: string) => {
  const app = runApp({ NODE_ENV: 'development', LOG_LEVEL: 'warn', BOOTSTRAP_API_KEY: API_KEY, ...env }, script);
  running.push(app);
  return app;
};
const stop = async (app: AppProcess) => {
  app.child.kill('SIGTERM');
  expect(await app.exited).toEqual({ code: 0, signal: null });
};

/** Polls until `probe` gives a value (the dispatch worker sends soon after the start). */
async function waitFor<T>(probe: () => Promise<T | null>, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i += 1) {
    const value = await probe();
    if (value !== null) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('gave up waiting');
}

let engine: TestEngine | undefined;
afterEach(async () => {
  for (const app of running.splice(0)) await killApp(app);
});
afterAll(async () => {
  await engine?.destroy();
  removeTempDirs();
});

describe('the first start on the embedded engine', () => {
  it('loads the demo, prints where to go, the demo logins and the outbox, and loads nothing on later starts', async () => {
    const dataDir = path.join(makeTempDir(), 'data');
    const first = start({ DATA_DIR: dataDir });
    const { url } = await first.ready;
    const banner = first.stdout();
    expect(banner).toContain(`Retour is running at ${url} (database: embedded, mail: outbox)`);
    const loaded = /Demo data: 3 sites, 3 queues, 25 agents, ([\d,]+) calls, [\d,]+ answers \(loaded just now in [\d.]+ s\)/.exec(banner);
    expect(loaded).not.toBeNull();
    const calls = Number(loaded![1]!.replace(/,/g, ''));
    expect(calls).toBeGreaterThan(27_000);
    expect(calls).toBeLessThan(33_000);
    for (const login of DEMO_LOGINS) expect(banner).toMatch(new RegExp(`${login.email} +password ${login.password}`));
    expect(banner).toContain(`${url}/login`);
    expect(banner).toContain(`Emails are not sent: read them at ${url}/admin/outbox`);
    const sites = await fetch(`${url}/api/v1/sites`, { headers: { Authorization: `Bearer ${API_KEY}` } });
    expect(((await sites.json()) as { sites: { code: string }[] }).sites.map((s) => s.code)).toEqual(['ABV', 'CAS', 'DRX']);
    // The latest invitations were left for the dispatch worker: their emails reach the outbox
    // (on a Monday beside the quality leads' weekly digest), all to example addresses.
    const outbox = await waitFor(async () => {
      const res = await fetch(`${url}/api/v1/outbox`, { headers: { Authorization: `Bearer ${API_KEY}` } });
      const { messages } = (await res.json()) as { messages: { to: string; text: string }[] };
      return messages.some((m) => /\/s\/[\w-]{43}\?a=info:no/.test(m.text)) ? messages : null;
    });
    for (const message of outbox) expect(message.to).toMatch(/@example\.(com|net|org)$/);
    // A visitor who is not signed in learns what Retour is and where to sign in.
    const home = await (await fetch(`${url}/`, { headers: { 'Accept-Language': 'en' } })).text();
    expect(home).toContain('Quality leads then see, site by site and with confidence intervals');
    expect(home).toContain('href="/login"');
    await stop(first);

    const second = start({ DATA_DIR: dataDir });
    await second.ready;
    expect(second.stdout()).toMatch(/Demo data: .* \(loaded on \d{4}-\d\d-\d\d \d\d:\d\d UTC\)/);
    expect(second.stdout()).toContain(DEMO_LOGINS[0]!.password);
    await stop(second);

    // `npm run demo` on the same data: nothing to do, and it says so.
    const demo = start({ DATA_DIR: dataDir }, 'scripts/demo.ts');
    await demo.ready;
    expect(demo.stdout()).toMatch(/already loaded on .*: nothing changed/);
  }, 240_000);
});

describe('a start against MONGODB_URI', () => {
  it('never loads the demo without DEMO=1, even on an empty database in development', async () => {
    engine = await startTestEngine();
    const app = start({ DATA_DIR: makeTempDir(), MONGODB_URI: `mongodb://127.0.0.1:${engine.server.port}/retour` });
    const { url } = await app.ready;
    expect(app.stdout()).toContain(`Retour is running at ${url} (database: mongodb`);
    expect(app.stdout()).not.toContain('Demo data');
    const sites = await fetch(`${url}/api/v1/sites`, { headers: { Authorization: `Bearer ${API_KEY}` } });
    expect(await sites.json()).toEqual({ sites: [] });
    expect(await engine.client.db('retour').collection('calls').countDocuments()).toBe(0);
    expect(await engine.client.db('retour').collection('demo').countDocuments()).toBe(0);
  }, 60_000);
});
