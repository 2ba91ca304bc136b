/**
 * The disk full under the embedded engine: its DATA_DIR lives on a small tmpfs that this
 * file mounts (tests run as root) and then fills. Writes through the app fail with a clear
 * error (507 JSON naming the storage, a page saying the answers were not saved) and through
 * the driver with MongoDB's OutOfDiskSpace; the engine logs ENOSPC, keeps running and
 * serving reads; a refused write leaves no trace; once space is freed writes succeed again
 * without a restart, and a restart on the same directory finds everything acknowledged,
 * nothing refused.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import request from 'supertest';
import { connect, type Database } from '../../server/db';
import { createLogger } from '../../server/logger';
import { callsTestKit, makeCall } from '../helpers/calls';
import { loginAs } from '../helpers/staff';
import { FULL_FORM, FULL_JSON, invitations, responses, surveyLink } from '../helpers/survey';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

const mountPoint = makeTempDir('retour-disk-');
const dataDir = path.join(mountPoint, 'data');
const filler = path.join(mountPoint, 'filler');
let mounted = false;
let database: Database | undefined;

// What the engine logs reaches the app's logger (server/db/embedded-process.ts relays it).
const logged: string[] = [];
const logger = createLogger({ logLevel: 'info' }, { write: (line: string) => void logged.push(line) });
const connectEngine = () => connect({ mongodbUri: undefined, dataDir }, logger);

beforeAll(async () => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    mounted = true;
  } catch (err) {
    const why = String((err as { stderr?: unknown }).stderr ?? err);
    throw new Error(`faults-disk.test.ts needs root: it mounts a small tmpfs (mount -t tmpfs) as the engine's data directory. ${why}`, { cause: err });
  }
  database = await connectEngine();
});
afterAll(async () => {
  await database?.disconnect();
  if (mounted) execFileSync('umount', [mountPoint]);
  removeTempDirs();
});

const { app, api, calls } = callsTestKit();
const ballast = () => mongoose.connection.collection<{ n: number; pad: string }>('ballast');
/** Documents with a unique index, written before the disk fills. */
const items = () => mongoose.connection.collection<{ n: number; label: string }>('items');

/** Fills the tmpfs with one file until the kernel refuses another byte. */
function fillDisk(): void {
  const fd = fs.openSync(filler, 'w');
  try {
    for (const size of [1024 * 1024, 4096, 1]) {
      const chunk = Buffer.alloc(size, 1);
      for (;;) {
        try {
          fs.writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** What the tests change only when writes succeed. */
async function storedState() {
  const sort = { _id: 1 } as const;
  return {
    responses: await responses().find().sort(sort).toArray(),
    invitations: await invitations().find().sort(sort).toArray(),
    calls: await calls().find().sort(sort).toArray(),
    items: await items().find().sort(sort).toArray(),
  };
}

let staff: request.Agent;
let answered: Awaited<ReturnType<typeof surveyLink>>;
let waiting: Awaited<ReturnType<typeof surveyLink>>;
let before: Awaited<ReturnType<typeof storedState>>;
/** The ballast documents the engine acknowledged, and the one it refused. */
let acknowledged = 0;
let refused = -1;

describe('the disk of the embedded engine full', () => {
  it('stores answers and calls while there is space', async () => {
    answered = await surveyLink({ locale: 'en' });
    waiting = await surveyLink({ locale: 'en' });
    expect((await request(app).post(`/s/${answered.token}`).type('form').send(FULL_FORM)).status).toBe(303);
    expect((await api.post(makeCall())).status).toBe(202);
    await items().createIndex({ n: 1 }, { unique: true });
    await items().insertMany([0, 1, 2].map((n) => ({ n, label: `item ${n}` })));
    before = await storedState();
    staff = (await loginAs(app, { role: 'admin' })).agent;
    expect(before.responses).toHaveLength(1);
    expect(before.calls).toHaveLength(1);
  });

  it('refuses a write once the disk is full with OutOfDiskSpace, leaving no trace of it', async () => {
    fillDisk();
    // The journal's last page may still hold a few small writes: they are acknowledged, the first that does not fit is refused.
    let failure: unknown;
    for (let n = 0; n < 500 && failure === undefined; n++) {
      await ballast().insertOne({ n, pad: 'x'.repeat(200) }).then(
        () => (acknowledged = n + 1),
        (err: unknown) => ((failure = err), (refused = n)),
      );
    }
    expect(failure).toMatchObject({ code: 14031, codeName: 'OutOfDiskSpace', message: expect.stringMatching(/ENOSPC/) });
    expect(await ballast().countDocuments({ n: refused })).toBe(0);
    expect(await ballast().countDocuments()).toBe(acknowledged);

    // Documents stored before the disk filled (the ballast may have none: the journal's last page can be full already).
    const change = items().updateMany({}, { $set: { label: 'changed '.repeat(100) } });
    await expect(change).rejects.toMatchObject({ code: 14031 });
    expect(await items().countDocuments({ label: /changed/ })).toBe(0);

    const log = logged.join('');
    expect(log).toContain('no space left on the disk of the data directory (ENOSPC)');
    expect(log).toContain('"level":50');
  });

  it('refuses writes made at the same moment on the same documents, leaving documents and index as they were', async () => {
    // Each larger than a page, so none fits in what is left of the journal's last one.
    const label = (what: string) => what.padEnd(5000, '.');
    const writes = await Promise.allSettled([
      items().insertOne({ n: 10, label: label('new') }),
      items().updateOne({ n: 0 }, { $set: { n: 20, label: label('moved') } }),
      items().updateOne({ n: 20 }, { $set: { label: label('moved twice') } }),
      items().updateOne({ n: 1 }, { $set: { label: label('changed') } }),
      items().updateMany({}, { $set: { label: label('all') } }),
    ]);
    const [insert, move, afterMove, change, all] = writes;
    for (const write of [insert, move, change, all]) expect(write).toMatchObject({ status: 'rejected', reason: { code: 14031 } });
    // Refused too, unless it ran when no document had n: 20 (before the move, or after it was taken back).
    expect(afterMove).toMatchObject(afterMove!.status === 'rejected' ? { reason: { code: 14031 } } : { value: { matchedCount: 0 } });
    expect(await items().find({}, { projection: { _id: 0 } }).sort({ n: 1 }).toArray()).toEqual(before.items.map(({ n, label }) => ({ n, label })));
    // Lookups through the unique index see the same.
    for (const n of [0, 1, 2]) expect(await items().countDocuments({ n })).toBe(1);
    for (const n of [10, 20]) expect(await items().countDocuments({ n })).toBe(0);
    await expect(items().insertOne({ n: 2, label: 'duplicate' })).rejects.toMatchObject({ code: 11000 });

    // A first insert creates its collection: refused, neither is left behind.
    await expect(mongoose.connection.collection('fresh').insertOne({ label: label('first') })).rejects.toMatchObject({ code: 14031 });
    expect((await mongoose.connection.db!.listCollections({ name: 'fresh' }).toArray()).length).toBe(0);
  });

  it('answers submits and the API with a clear error naming the storage, stores nothing of them and keeps serving reads', async () => {
    const page = await request(app).post(`/s/${waiting.token}`).type('form').send(FULL_FORM).set('Accept-Language', 'en');
    expect(page.status).toBe(507);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('Your answers were not saved');

    const json = await request(app).post(`/s/${waiting.token}`).set('Accept', 'application/json').send({ answers: FULL_JSON });
    expect(json.status).toBe(507);
    expect(json.body.error).toMatchObject({ code: 'STORAGE_FULL', message: expect.stringMatching(/storage is full/) });

    const call = await api.post(makeCall());
    expect(call.status).toBe(507);
    expect(call.type).toBe('application/json');
    expect(call.body.error).toMatchObject({ code: 'STORAGE_FULL', message: expect.stringMatching(/no space left/) });

    // Reads work: the customer who answered sees the thank-you page, staff read the reports; nothing changed.
    const thanks = await request(app).get(`/s/${answered.token}`);
    expect(thanks.status).toBe(200);
    const overview = await staff.get('/reports');
    expect(overview.status).toBe(200);
    expect(overview.text).toContain('Overview');
    expect(await storedState()).toEqual(before);
  });

  it('accepts writes again once space is freed, without a restart', async () => {
    fs.rmSync(filler);
    expect((await request(app).post(`/s/${waiting.token}`).type('form').send(FULL_FORM)).status).toBe(303);
    await ballast().insertOne({ n: refused, pad: 'after' });
    expect(await responses().countDocuments()).toBe(2);
    expect(logged.join('')).toContain('space is available again');
  });

  it('finds everything acknowledged and nothing refused after a restart on the same directory', async () => {
    const now = await storedState();
    const kept = await ballast().find().sort({ n: 1 }).toArray();
    await database!.disconnect();
    database = await connectEngine();

    expect(await storedState()).toEqual(now);
    expect(await ballast().find().sort({ n: 1 }).toArray()).toEqual(kept);
    expect(kept.map((d) => d.n)).toEqual([...Array.from({ length: acknowledged }, (_, n) => n), refused]);
    expect(kept.find((d) => d.n === refused)?.pad).toBe('after');
    // And it keeps writing.
    expect((await api.post(makeCall())).status).toBe(202);
  });
});
