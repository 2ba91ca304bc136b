/**
 * `npm start` for real: server/main.ts on the embedded engine with an empty DATA_DIR.
 * Needs the embedded engine (server/db/embedded).
 */
import path from 'node:path';
import { killApp, runApp, type AppProcess } from '../helpers/process';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

const running: AppProcess[] = [];
const start = (env: Record<string, string>) => {
  const app = runApp(env);
  running.push(app);
  return app;
};

afterEach(async () => {
  for (const app of running.splice(0)) await killApp(app);
});
afterAll(removeTempDirs);

describe('the app on the embedded engine', () => {
  it('starts with an empty DATA_DIR and answers /healthz', async () => {
    const app = start({ DATA_DIR: path.join(makeTempDir(), 'data') });
    const { url } = await app.ready;
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', db: 'embedded' });
    const home = await fetch(`${url}/`, { headers: { 'Accept-Language': 'en' } });
    expect(await home.text()).toContain('Customer feedback after every call');
  });

  it('stops the engine with the app on SIGTERM, so the next start gets DATA_DIR', async () => {
    const dataDir = makeTempDir();
    const first = start({ DATA_DIR: dataDir });
    await first.ready;
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });

    const second = start({ DATA_DIR: dataDir });
    const { url } = await second.ready;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('refuses to start on a DATA_DIR another instance is using, naming DATA_DIR', async () => {
    const dataDir = makeTempDir();
    await start({ DATA_DIR: dataDir }).ready;
    const second = start({ DATA_DIR: dataDir });
    expect((await second.exited).code).toBe(1);
    expect(second.stderr()).toContain('DATA_DIR');
    expect(second.stderr()).toMatch(/lock/i);
  });

  it('takes its engine down when it is killed outright', async () => {
    const dataDir = makeTempDir();
    const first = start({ DATA_DIR: dataDir });
    await first.ready;
    first.child.kill('SIGKILL');
    await first.exited;
    // The orphaned engine notices its parent is gone and releases the directory.
    const second = start({ DATA_DIR: dataDir });
    await expect(second.ready).resolves.toMatchObject({ url: expect.stringMatching(/^http:/) });
  });
});
