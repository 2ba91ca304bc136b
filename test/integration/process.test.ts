/**
 * The process as operators see it: start-up refusals, graceful shutdown, crashes.
 * Runs server/main.ts (or its lifecycle with a stand-in database) as a child process.
 */
import net from 'node:net';
import { killApp, runApp, type AppProcess } from '../helpers/process';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

const WITHOUT_DB = 'test/fixtures/serve-without-db.ts';
let app: AppProcess | undefined;

afterEach(() => killApp(app));
afterAll(removeTempDirs);

describe('start-up refuses a bad configuration', () => {
  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '99999' }],
    ['MONGODB_URI', { MONGODB_URI: 'postgres://db.example.com/retour' }],
    ['SESSION_SECRET', { NODE_ENV: 'production', PUBLIC_URL: 'https://f.example.com' }],
  ])('exits 1 with one line naming %s', async (variable, env) => {
    app = runApp({ DATA_DIR: makeTempDir(), ...env });
    const { code } = await app.exited;
    expect(code).toBe(1);
    const lines = app.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(variable);
    expect(lines[0]).toMatch(/for example/);
  });

  it('exits 1 naming PORT when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      app = runApp({ DATA_DIR: makeTempDir(), PORT: String(port) }, WITHOUT_DB);
      expect((await app.exited).code).toBe(1);
      expect(app.stderr()).toContain(`PORT ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('lets a slow request finish after SIGTERM, closes the database and exits 0', async () => {
    app = runApp({ DATA_DIR: makeTempDir() }, WITHOUT_DB);
    const { url } = await app.ready;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const slow = fetch(`${url}/slow?ms=1500`).then(async (res) => ({ status: res.status, text: await res.text() }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    app.child.kill('SIGTERM');

    await expect(slow).resolves.toEqual({ status: 200, text: 'finished' });
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(app.stdout()).toContain('database closed');
  });

  it('stops accepting new connections as soon as it is told to stop', async () => {
    app = runApp({ DATA_DIR: makeTempDir() }, WITHOUT_DB);
    const { url } = await app.ready;
    const slow = fetch(`${url}/slow?ms=1000`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    app.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(fetch(`${url}/healthz`, { headers: { Connection: 'close' } })).rejects.toThrow();
    expect((await slow).status).toBe(200);
    expect((await app.exited).code).toBe(0);
  });

  it('cuts requests still running after SHUTDOWN_TIMEOUT, logs it and exits 0', async () => {
    app = runApp({ DATA_DIR: makeTempDir(), SHUTDOWN_TIMEOUT: '2', LOG_LEVEL: 'warn' }, WITHOUT_DB);
    const { url } = await app.ready;
    const hung = fetch(`${url}/slow?ms=60000`).then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const signalled = Date.now();
    app.child.kill('SIGTERM');
    expect(await app.exited).toEqual({ code: 0, signal: null });
    const took = Date.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(1_900);
    expect(took).toBeLessThan(8_000);
    expect(await hung).toBe('cut');
    expect(app.stdout()).toMatch(/"timeoutMs":2000.*some requests did not finish in time and were cut/);
  });
});

describe('crashes', () => {
  it('logs an uncaught error and exits non-zero', async () => {
    app = runApp({ DATA_DIR: makeTempDir(), LOG_LEVEL: 'fatal' }, WITHOUT_DB);
    const { url } = await app.ready;
    expect((await fetch(`${url}/crash`)).status).toBe(202);
    const { code } = await app.exited;
    expect(code).not.toBe(0);
    expect(app.stdout()).toContain('crash outside a request');
    expect(app.stdout()).toContain('"level":60');
  });

  it('survives an error thrown in a request handler', async () => {
    app = runApp({ DATA_DIR: makeTempDir() }, WITHOUT_DB);
    const { url } = await app.ready;
    expect((await fetch(`${url}/boom`)).status).toBe(500);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
