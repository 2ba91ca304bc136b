/**
 * The database connection lost and restored under a running app. The app runs as a real
 * process with MONGODB_URI pointing at a TCP proxy in front of this file's engine; the
 * test cuts the proxy (every socket destroyed, new connections refused) and restores it.
 * Meanwhile /healthz answers 503 naming the database, pages and the API answer a clear
 * 503 within seconds, a survey submit stores nothing; once restored the app recovers by
 * itself. Also: the embedded engine dying under the app stops the app (exit 1, logged) for
 * its supervisor to restart, and a restart on the same DATA_DIR serves again.
 */
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import mongoose from 'mongoose';
import request from 'supertest';
import { COARSE } from '../../server/rollups';
import { useTestDatabase } from '../helpers/database';
import { waitFor } from '../helpers/e2e';
import { killApp, runApp, type AppProcess } from '../helpers/process';
import { createApiKey, createStaff, csrfFrom } from '../helpers/staff';
import { FULL_FORM, FULL_JSON, invitations, responses, rollups, seedSurveyWorld, surveyLink } from '../helpers/survey';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

const database = useTestDatabase();
afterAll(removeTempDirs);

/** Longer than any answer may take while the database is away (the driver alone would wait 30 s). */
const PROMPT_MS = 9_000;

interface Proxy {
  port: number;
  /** Destroys every open connection and refuses new ones. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** A TCP proxy to 127.0.0.1:`target` that the test can cut and restore. */
async function startProxy(target: number): Promise<Proxy> {
  let open = true;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = net.connect(target, '127.0.0.1');
    const pair = [client, upstream];
    const end = () => pair.forEach((s) => (s.destroy(), sockets.delete(s)));
    for (const socket of pair) {
      sockets.add(socket);
      socket.on('error', end).on('close', end);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cut = () => {
    open = false;
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: (server.address() as AddressInfo).port,
    cut,
    restore() {
      open = true;
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls GET /healthz until it answers `status` (or fails after 20 s). */
async function healthBecomes(url: string, status: number): Promise<request.Response> {
  const until = Date.now() + 20_000;
  for (;;) {
    const res = await request(url).get('/healthz').timeout(PROMPT_MS);
    if (res.status === status) return res;
    if (Date.now() > until) throw new Error(`/healthz still answers ${res.status} ${JSON.stringify(res.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The stored response of an invitation, or null. */
const responseOf = (oid: mongoose.Types.ObjectId) => responses().findOne({ invitationId: String(oid) });

describe('the database connection dropped and restored', () => {
  let proxy: Proxy;
  let app: AppProcess | undefined;
  let url: string;
  let apiKey: string;
  let staff: request.Agent;
  let link: Awaited<ReturnType<typeof surveyLink>>;

  beforeAll(async () => {
    await seedSurveyWorld();
    link = await surveyLink({ locale: 'fr' });
    apiKey = await createApiKey('faults');
    const { email, password } = await createStaff({ role: 'admin' });
    proxy = await startProxy(Number(new URL(database().uri).port));
    app = runApp({ MONGODB_URI: `mongodb://127.0.0.1:${proxy.port}/retour`, DATA_DIR: makeTempDir(), LOG_LEVEL: 'info' });
    ({ url } = await app.ready);
    staff = request.agent(url);
    const login = await staff.get('/login');
    const signedIn = await staff.post('/login').type('form').send({ _csrf: csrfFrom(login.text), email, password });
    expect(signedIn.status).toBe(303);
  }, 40_000);

  afterAll(async () => {
    await killApp(app);
    await proxy?.close();
  });

  it('answers 200 on /healthz while the database answers', async () => {
    const res = await request(url).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', db: 'mongodb' });
  });

  it('answers 503 on /healthz, naming the database, once the connection is cut', async () => {
    proxy.cut();
    const res = await healthBecomes(url, 503);
    expect(res.body).toMatchObject({ status: 'unavailable', db: 'mongodb', error: expect.stringMatching(/database cannot be reached/) });
    // The log line is written asynchronously: it may reach the pipe just after /healthz has answered.
    await waitFor('the lost connection in the log', async () => (app!.stdout().includes('lost the connection to the database') ? true : undefined), 5_000);
  });

  it('answers pages, the API and survey submits with a clear 503 within seconds, and stores nothing', async () => {
    const [page, form, json, sites, calls, report] = await Promise.all([
      request(url).get(`/s/${link.token}`).set('Accept-Language', 'fr').timeout(PROMPT_MS),
      request(url).post(`/s/${link.token}`).type('form').send(FULL_FORM).timeout(PROMPT_MS),
      request(url).post(`/s/${link.token}`).send({ answers: FULL_JSON }).timeout(PROMPT_MS),
      request(url).get('/api/v1/sites').auth(apiKey, { type: 'bearer' }).timeout(PROMPT_MS),
      request(url).post('/api/v1/calls').auth(apiKey, { type: 'bearer' }).send({ externalId: 'pbx-cut-1' }).timeout(PROMPT_MS),
      staff.get('/reports').set('Accept-Language', 'en').timeout(PROMPT_MS),
    ]);

    expect(page.status).toBe(503);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('Service momentanément indisponible');
    expect(page.text).toContain('Merci de réessayer dans un instant');

    expect(form.status).toBe(503);
    expect(form.text).toContain('Vos réponses n’ont pas été enregistrées');
    expect(form.headers['retry-after']).toBe('5');

    expect(json.status).toBe(503);
    expect(json.body.error).toMatchObject({ code: 'DATABASE_UNAVAILABLE', message: expect.stringMatching(/nothing was saved/) });

    for (const api of [sites, calls]) {
      expect(api.status).toBe(503);
      expect(api.type).toBe('application/json');
      expect(api.body.error.code).toBe('DATABASE_UNAVAILABLE');
    }

    expect(report.status).toBe(503);
    expect(report.text).toContain('Temporarily unavailable');
    expect(report.text).toContain('Our database cannot be reached right now');
    expect(report.text).not.toMatch(/Mongo|stack/i);

    expect(await responseOf(link.oid)).toBeNull();
    expect(await invitations().findOne({ _id: link.oid })).toMatchObject({ state: 'sent' });
  });

  it('recovers without a restart once the connection is back: /healthz, pages, the API and submits work', async () => {
    proxy.restore();
    const health = await healthBecomes(url, 200);
    expect(health.body).toEqual({ status: 'ok', db: 'mongodb' });
    await waitFor('the restored connection in the log', async () => (app!.stdout().includes('connection to the database restored') ? true : undefined), 5_000);

    const submitted = await request(url).post(`/s/${link.token}`).type('form').send(FULL_FORM);
    expect(submitted.status).toBe(303);
    const stored = await responses().find({ invitationId: String(link.oid) }).toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ complete: true, csat: 4 });
    // Counted before the answer; its save is taken off the response just after.
    await waitFor('the counted save taken off the response', async () => ((await responseOf(link.oid))?.rollupPending === false ? true : undefined));
    expect(await invitations().findOne({ _id: link.oid })).toMatchObject({ state: 'answered' });
    // The rollups count it once: the submit cut earlier left nothing behind in them either.
    const buckets = await rollups().find({ agent: { $ne: COARSE } }).toArray();
    const sum = (field: string) => buckets.reduce((total, bucket) => total + Number(bucket[field] ?? 0), 0);
    expect({ completed: sum('completed'), csatSum: sum('csatSum') }).toEqual({ completed: 1, csatSum: 4 });

    expect((await request(url).get('/api/v1/sites').auth(apiKey, { type: 'bearer' })).status).toBe(200);
    const report = await staff.get('/reports');
    expect(report.status).toBe(200);
    expect(app!.child.exitCode).toBeNull();
  });
});

describe('the embedded engine dying under the app', () => {
  let app: AppProcess | undefined;
  afterEach(() => killApp(app));

  it('stops the app with exit code 1 and a logged reason, and a restart on the same DATA_DIR serves again', async () => {
    const dataDir = makeTempDir();
    app = runApp({ DATA_DIR: dataDir, LOG_LEVEL: 'info', DISPATCH_WORKER: '0' });
    const { url } = await app.ready;
    expect((await request(url).get('/healthz')).status).toBe(200);

    const enginePid = Number(readFileSync(path.join(dataDir, 'mongod.lock'), 'utf8').trim());
    expect(enginePid).not.toBe(app.child.pid);
    process.kill(enginePid, 'SIGKILL');
    expect((await app.exited).code).toBe(1);
    expect(app.stdout()).toContain('the embedded engine exited unexpectedly');
    expect(app.stdout()).toMatch(/"level":60.*database lost/);

    app = runApp({ DATA_DIR: dataDir, DISPATCH_WORKER: '0' });
    const again = await app.ready;
    expect((await request(again.url).get('/healthz')).body).toEqual({ status: 'ok', db: 'embedded' });
  }, 40_000);
});
