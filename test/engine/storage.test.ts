/**
 * The embedded engine's storage: journal round trips, group commit, torn tails and damage,
 * compaction and snapshot fallback, and the data directory lock (across processes).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Int32, serialize } from 'bson';
import pino from 'pino';
import { Store, applyOp, emptyState, type CatalogState, type JournalOp, type StoreOptions } from '../../server/db/embedded/storage';
import { encodeCommit } from '../../server/db/embedded/storage/journal';

const JOURNAL_1 = 'journal-0000000000000001.log';
const SNAPSHOT_2 = 'snapshot-0000000000000002.bin';
const dirs: string[] = [];
const open: Store[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retour-storage-'));
  dirs.push(dir);
  return dir;
}

async function openStore(dir: string, opts: StoreOptions = {}): Promise<{ store: Store; state: CatalogState }> {
  const opened = await Store.open(dir, opts);
  open.push(opened.store);
  return opened;
}

async function reopen(store: Store, dir: string, opts: StoreOptions = {}): Promise<{ store: Store; state: CatalogState }> {
  await store.close();
  return openStore(dir, opts);
}

afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
});

afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A logger whose lines the test can read. */
function captureLog(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const bson = (value: Record<string, unknown>): Buffer => Buffer.from(serialize(value));
const put = (ns: string, key: string, doc: Buffer): JournalOp => ({ op: 'put', ns, key, doc });
const docOf = (key: string, n = 0): Buffer => bson({ _id: key, n, pad: 'x'.repeat(n % 50) });

/** A comparable picture of a catalog: options and specs as BSON hex (keeps their types), docs in order. */
function view(state: CatalogState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [ns, coll] of state.collections) {
    out[ns] = {
      options: bson(coll.options).toString('hex'),
      indexes: coll.indexes.map((spec) => bson(spec).toString('hex')),
      docs: [...coll.docs].map(([key, doc]) => [key, doc.toString('hex')]),
    };
  }
  return out;
}

/** What the engine hands to compact(): the maps copied, the buffers shared. */
function copyOf(state: CatalogState): CatalogState {
  const collections: CatalogState['collections'] = new Map();
  for (const [ns, coll] of state.collections) collections.set(ns, { ...coll, indexes: [...coll.indexes], docs: new Map(coll.docs) });
  return { collections };
}

/** Applies to a model catalog, as the engine does in memory, then commits. */
function committer(store: Store, model: CatalogState): (ops: JournalOp[]) => Promise<void> {
  return (ops) => {
    for (const op of ops) applyOp(model, op);
    return store.commit(ops);
  };
}

/** A store's sync that syncs and counts its calls. */
function countingSync(): { count: number; sync: (handle: fs.promises.FileHandle) => Promise<void> } {
  const counter = {
    count: 0,
    sync: async (handle: fs.promises.FileHandle): Promise<void> => {
      counter.count += 1;
      await handle.datasync();
    },
  };
  return counter;
}

function flipByte(file: string, offset: number): void {
  const bytes = fs.readFileSync(file);
  bytes[offset] ^= 0xff;
  fs.writeFileSync(file, bytes);
}

describe('Store', () => {
  it('creates a missing data directory and starts from an empty catalog', async () => {
    const dir = path.join(tempDir(), 'nested', 'data');
    const { state } = await openStore(dir);
    expect(state.collections.size).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual([JOURNAL_1, 'mongod.lock']);
  });

  it('recovers every kind of operation after a reopen, keeping document order and value types', async () => {
    const dir = tempDir();
    const { store } = await openStore(dir);
    const model = emptyState();
    const commit = committer(store, model);
    const loneSurrogate = 'key-\uD800-end';
    await commit([{ op: 'createCollection', ns: 'app.items', options: { capped: true, size: new Int32(4096) } }]);
    await commit([{ op: 'createIndex', ns: 'app.items', spec: { key: { a: new Int32(1) }, name: 'a_1' } }]);
    await commit([{ op: 'createIndex', ns: 'app.items', spec: { key: { b: new Int32(-1) }, name: 'b_-1' } }]);
    await commit([{ op: 'createIndex', ns: 'app.items', spec: { key: { a: new Int32(1) }, name: 'a_1', unique: true } }]);
    await commit([{ op: 'dropIndex', ns: 'app.items', name: 'b_-1' }]);
    await commit([put('app.items', 'k1', docOf('k1', 1)), put('app.items', 'k2', docOf('k2', 2)), put('app.items', 'k3', docOf('k3', 3))]);
    await commit([put('app.items', 'k1', docOf('k1', 10)), { op: 'delete', ns: 'app.items', key: 'k2' }]);
    await commit([put('app.items', loneSurrogate, docOf('odd', 4))]);
    await commit([put('app.implicit', 'x', docOf('x'))]);
    await commit([put('app.old', 'y', docOf('y')), { op: 'renameCollection', from: 'app.old', to: 'app.renamed' }]);
    await commit([put('app.gone', 'z', docOf('z')), { op: 'dropCollection', ns: 'app.gone' }]);
    await commit([put('other.a', '1', docOf('1')), put('other.b', '2', docOf('2')), put('otherdb.c', '3', docOf('3'))]);
    await commit([{ op: 'dropDatabase', db: 'other' }]);

    const { state } = await reopen(store, dir);
    expect(view(state)).toEqual(view(model));
    expect([...state.collections.keys()].sort()).toEqual(['app.implicit', 'app.items', 'app.renamed', 'otherdb.c']);
    const items = state.collections.get('app.items')!;
    expect([...items.docs.keys()]).toEqual(['k1', 'k3', loneSurrogate]);
    expect(items.options.size).toBeInstanceOf(Int32);
    expect(items.indexes.map((spec) => spec.name)).toEqual(['a_1']);
    expect(items.indexes[0].unique).toBe(true);
  });

  it('shares one sync among commits made while a flush is in flight, in call order', async () => {
    const dir = tempDir();
    const syncs = countingSync();
    const { store } = await openStore(dir, { sync: syncs.sync });
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 25; i++) await store.commit([put('app.w', `w${w}-${i}`, docOf(`w${w}-${i}`, i))]);
      }),
    );
    const keys = Array.from({ length: 100 }, (_, i) => `ordered-${i}`);
    await Promise.all(keys.map((key, i) => store.commit([put('app.order', key, docOf(key, i)), put('app.last', 'one', docOf('one', i))])));

    expect(store.stats().commits).toBe(300);
    expect(syncs.count).toBe(store.stats().flushes);
    expect(syncs.count).toBeLessThan(150);
    const { state } = await reopen(store, dir);
    expect(state.collections.get('app.w')!.docs.size).toBe(200);
    expect([...state.collections.get('app.order')!.docs.keys()]).toEqual(keys);
    expect(state.collections.get('app.last')!.docs.get('one')).toEqual(docOf('one', 99));
  });

  it('writes small frames in place and large ones in the thread pool, syncs every flush, durable either way', async () => {
    const dir = tempDir();
    const syncs = countingSync();
    const opened = await openStore(dir, { sync: syncs.sync });
    for (let i = 0; i < 5; i++) await opened.store.commit([put('app.f', `small-${i}`, docOf(`small-${i}`, i))]);
    expect(opened.store.stats()).toMatchObject({ flushes: 5, pooledWrites: 0 });
    // A large frame (a batch, a bulk load) is written in the thread pool.
    await opened.store.commit([put('app.big', 'big', bson({ _id: 'big', pad: 'x'.repeat(200_000) }))]);
    expect(opened.store.stats()).toMatchObject({ flushes: 6, pooledWrites: 1 });
    expect(syncs.count).toBe(6);

    const { state } = await reopen(opened.store, dir);
    expect([...state.collections.get('app.f')!.docs.keys()]).toEqual(Array.from({ length: 5 }, (_, i) => `small-${i}`));
    expect(state.collections.get('app.big')!.docs.size).toBe(1);
  });

  it('rejects every waiting commit when the sync fails, and every later commit too', async () => {
    const dir = tempDir();
    let failing = false;
    const sync = async (handle: fs.promises.FileHandle): Promise<void> => {
      if (failing) throw new Error('EIO: simulated disk failure');
      await handle.datasync();
    };
    const { store } = await openStore(dir, { sync, logger: captureLog().logger });
    await store.commit([put('app.c', 'kept', docOf('kept'))]);
    failing = true;
    const results = await Promise.allSettled([1, 2, 3].map((n) => store.commit([put('app.c', `lost-${n}`, docOf('lost'))])));
    for (const result of results) {
      expect(result).toMatchObject({ status: 'rejected', reason: { message: expect.stringContaining('EIO: simulated disk failure') } });
    }
    await expect(store.commit([put('app.c', 'after', docOf('after'))])).rejects.toThrow(/journal write failed/);
    const { state } = await reopen(store, dir);
    expect(state.collections.get('app.c')!.docs.get('kept')).toEqual(docOf('kept'));
  });

  describe('journal damage', () => {
    /** The bytes of one complete journal frame holding a commit, made in a scratch directory. */
    async function oneFrame(): Promise<Buffer> {
      const scratch = tempDir();
      const { store } = await openStore(scratch);
      await store.commit([put('app.c', 'extra', docOf('extra', 7))]);
      await store.close();
      return fs.readFileSync(path.join(scratch, JOURNAL_1));
    }

    const tails: Array<[string, () => Promise<Buffer>]> = [
      ['random bytes', async () => Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7919 + 13) % 251))],
      ['a half-written record', async () => (await oneFrame()).subarray(0, 40)],
      ['a whole record with a bad checksum', async () => {
        const frame = await oneFrame();
        frame[5] ^= 0x01;
        return frame;
      }],
      ['a zero-filled region', async () => Buffer.alloc(4096)],
    ];

    it.each(tails)('drops %s at the tail with a warning and keeps every earlier record', async (_kind, makeTail) => {
      const dir = tempDir();
      const { store } = await openStore(dir);
      for (let i = 0; i < 5; i++) await store.commit([put('app.c', `k${i}`, docOf(`k${i}`, i))]);
      await store.close();
      const file = path.join(dir, JOURNAL_1);
      const goodSize = fs.statSync(file).size;
      const tail = await makeTail();
      fs.appendFileSync(file, tail);

      const { logger, lines } = captureLog();
      const reopened = await openStore(dir, { logger });
      expect([...reopened.state.collections.get('app.c')!.docs.keys()]).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
      expect(lines).toContainEqual(expect.objectContaining({ level: 40, droppedBytes: tail.length, offset: goodSize }));
      expect(fs.statSync(file).size).toBe(goodSize);

      await reopened.store.commit([put('app.c', 'k5', docOf('k5', 5))]);
      const { state } = await reopen(reopened.store, dir);
      expect(state.collections.get('app.c')!.docs.size).toBe(6);
    });

    it('refuses to start when a damaged record is followed by valid ones', async () => {
      const dir = tempDir();
      const { store } = await openStore(dir);
      for (let i = 0; i < 3; i++) await store.commit([put('app.c', `k${i}`, docOf(`k${i}`, i))]);
      await store.close();
      flipByte(path.join(dir, JOURNAL_1), 30);
      await expect(Store.open(dir)).rejects.toThrow(
        new RegExp(`journal .*${JOURNAL_1} is damaged at byte 0 \\(checksum mismatch\\) and valid records follow at byte \\d+; refusing to start`),
      );
    });

    it('refuses to start when a journal that newer journals follow ends in damage', async () => {
      const dir = tempDir();
      const { store } = await openStore(dir);
      await store.commit([put('app.c', 'k', docOf('k'))]);
      await store.close();
      fs.appendFileSync(path.join(dir, JOURNAL_1), Buffer.from('torn'));
      fs.writeFileSync(path.join(dir, 'journal-0000000000000002.log'), '');
      await expect(Store.open(dir)).rejects.toThrow(/is damaged at byte \d+ .* and newer journal files follow; refusing to start/);
    });
  });

  describe('compaction', () => {
    it('writes a snapshot, removes the journals it covers, and reopens to the same catalog', async () => {
      const dir = tempDir();
      const { store } = await openStore(dir, { compactionMinBytes: 8 * 1024, snapshotChunkBytes: 4096 });
      const model = emptyState();
      const commit = committer(store, model);
      await commit([{ op: 'createCollection', ns: 'app.items', options: { note: 'kept' } }]);
      await commit([{ op: 'createIndex', ns: 'app.items', spec: { key: { n: new Int32(1) }, name: 'n_1' } }]);
      for (let i = 0; i < 300; i++) await commit([put('app.items', `k${i}`, docOf(`k${i}`, i))]);
      expect(store.needsCompaction()).toBe(true);

      const compaction = store.compact(copyOf(model));
      expect(store.needsCompaction()).toBe(false);
      // Commits made after the call land in the new journal, on top of the snapshot.
      await commit([put('app.items', 'late', docOf('late')), { op: 'delete', ns: 'app.items', key: 'k0' }]);
      await compaction;

      expect(fs.readdirSync(dir).sort()).toEqual(['journal-0000000000000002.log', 'mongod.lock', SNAPSHOT_2]);
      expect(store.stats().snapshotBytes).toBe(fs.statSync(path.join(dir, SNAPSHOT_2)).size);
      const { store: again, state: first } = await reopen(store, dir, { compactionMinBytes: 8 * 1024 });
      expect(view(first)).toEqual(view(model));

      await committer(again, model)([put('app.items', 'after-reopen', docOf('after-reopen'))]);
      await again.compact(copyOf(model));
      expect(fs.readdirSync(dir).sort()).toEqual(['journal-0000000000000003.log', 'mongod.lock', 'snapshot-0000000000000003.bin']);
      const { state: second } = await reopen(again, dir);
      expect(view(second)).toEqual(view(model));
    });

    it('asks for compaction only once the journal outgrows both the minimum and the last snapshot', async () => {
      const dir = tempDir();
      const { store } = await openStore(dir, { compactionMinBytes: 4096 });
      const model = emptyState();
      const commit = committer(store, model);
      for (let i = 0; store.stats().journalBytes <= 16384; i++) await commit([put('app.c', `k${i}`, docOf(`k${i}`, i))]);
      expect(store.needsCompaction()).toBe(true);
      await store.compact(copyOf(model));
      const { snapshotBytes } = store.stats();
      expect(snapshotBytes).toBeGreaterThan(4096);
      expect(store.stats().journalBytes).toBe(0);
      while (store.stats().journalBytes <= snapshotBytes) {
        expect(store.needsCompaction()).toBe(false);
        await commit([put('app.c', 'hot', docOf('hot', store.stats().commits))]);
      }
      expect(store.needsCompaction()).toBe(true);
    });

    it('abandons a compaction when the store closes, leaving a directory that recovers in full', async () => {
      const dir = tempDir();
      const { store } = await openStore(dir, { snapshotChunkBytes: 1024 });
      const model = emptyState();
      const commit = committer(store, model);
      await Promise.all(Array.from({ length: 2000 }, (_, i) => commit([put('app.c', `k${i}`, docOf(`k${i}`, i))])));
      const compaction = store.compact(copyOf(model));
      await store.close();
      await expect(compaction).resolves.toBeUndefined();
      expect(fs.readdirSync(dir).filter((name) => name.startsWith('snapshot-'))).toEqual([]);
      const { state } = await openStore(dir);
      expect(view(state)).toEqual(view(model));
    });

    it('ignores and removes a snapshot left half-written by a crash', async () => {
      const dir = tempDir();
      const { store } = await openStore(dir);
      await store.commit([put('app.c', 'k', docOf('k'))]);
      await store.close();
      fs.writeFileSync(path.join(dir, 'snapshot-0000000000000002.tmp'), 'RTRSNAP1 cut short');
      const { state } = await openStore(dir);
      expect(state.collections.get('app.c')!.docs.has('k')).toBe(true);
      expect(fs.readdirSync(dir).sort()).toEqual([JOURNAL_1, 'mongod.lock']);
    });

    /** A compacted directory, returning the model and a copy of journal 1 taken before compaction. */
    async function compacted(dir: string): Promise<{ model: CatalogState; journal1: Buffer }> {
      const { store } = await openStore(dir);
      const model = emptyState();
      const commit = committer(store, model);
      for (let i = 0; i < 50; i++) await commit([put('app.c', `k${i}`, docOf(`k${i}`, i))]);
      const journal1 = fs.readFileSync(path.join(dir, JOURNAL_1));
      await store.compact(copyOf(model));
      await commit([put('app.c', 'after', docOf('after'))]);
      await store.close();
      return { model, journal1 };
    }

    it('falls back to an older starting point when the newest snapshot is damaged and the journals are still there', async () => {
      const dir = tempDir();
      const { model, journal1 } = await compacted(dir);
      fs.writeFileSync(path.join(dir, JOURNAL_1), journal1); // as if the crash came before the old journal was deleted
      flipByte(path.join(dir, SNAPSHOT_2), 200);
      const { logger, lines } = captureLog();
      const { state } = await openStore(dir, { logger });
      expect(view(state)).toEqual(view(model));
      expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringMatching(/snapshot-0+2\.bin is damaged/) }));
      expect(fs.existsSync(path.join(dir, `${SNAPSHOT_2}.damaged`))).toBe(true);
    });

    it('refuses to start, naming the damaged snapshot, when the journals it replaced are gone', async () => {
      const dir = tempDir();
      await compacted(dir);
      const file = path.join(dir, SNAPSHOT_2);
      fs.truncateSync(file, fs.statSync(file).size - 10);
      await expect(Store.open(dir)).rejects.toThrow(
        /cannot recover data directory .*: snapshot-0+2\.bin is damaged \(.*\); starting from an empty catalog needs journal-0+1\.log, which is missing/,
      );
    });
  });

  describe('lock', () => {
    const fixture = path.join(__dirname, 'fixtures', 'lock-holder.ts');

    function runFixture(mode: 'hold' | 'try', dir: string) {
      const child = spawn(process.execPath, ['--require', 'tsx/cjs', fixture, mode, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      const firstLine = new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
        child.on('exit', () => reject(new Error(`fixture exited early: ${out}`)));
      });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      return { child, firstLine, exited };
    }

    it('refuses a second process with "data directory … is locked by pid N"', async () => {
      const dir = tempDir();
      await openStore(dir);
      const { firstLine } = runFixture('try', dir);
      expect(JSON.parse(await firstLine)).toEqual({ ok: false, message: `data directory ${dir} is locked by pid ${process.pid}` });
    });

    it('refuses while another process holds the directory, and takes the lock over once that process is killed', async () => {
      const dir = tempDir();
      const holder = runFixture('hold', dir);
      expect(await holder.firstLine).toBe('ready');
      await expect(Store.open(dir)).rejects.toThrow(`data directory ${dir} is locked by pid ${holder.child.pid}`);
      holder.child.kill('SIGKILL');
      await holder.exited;
      expect(fs.readFileSync(path.join(dir, 'mongod.lock'), 'utf8').trim()).toBe(String(holder.child.pid));
      await openStore(dir);
      expect(fs.readFileSync(path.join(dir, 'mongod.lock'), 'utf8').trim()).toBe(String(process.pid));
    });

    it('refuses a second store in the same process until the first one is closed', async () => {
      const dir = tempDir();
      const { store } = await openStore(dir);
      await expect(Store.open(dir)).rejects.toThrow(`data directory ${dir} is locked by pid ${process.pid}`);
      await store.close();
      expect(fs.existsSync(path.join(dir, 'mongod.lock'))).toBe(false);
      await openStore(dir);
    });

    it('takes over a lock file whose content is unreadable and removes pid files left by dead processes', async () => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'mongod.lock'), 'not a pid');
      fs.writeFileSync(path.join(dir, 'mongod.lock.99999999.new'), '99999999\n'); // above any pid_max: never alive
      await openStore(dir);
      expect(fs.readFileSync(path.join(dir, 'mongod.lock'), 'utf8').trim()).toBe(String(process.pid));
      expect(fs.readdirSync(dir).sort()).toEqual([JOURNAL_1, 'mongod.lock']);
    });
  });

  it('refuses commits after close', async () => {
    const dir = tempDir();
    const { store } = await openStore(dir);
    await store.close();
    await expect(store.commit([put('app.c', 'k', docOf('k'))])).rejects.toThrow('the store is closed');
  });
});

describe('journal record encoding', () => {
  // put ops are framed by hand for speed; the bytes must stay those of journal format 1.
  it('writes exactly the BSON document { ops } that format 1 defines', () => {
    const doc = Buffer.from(serialize({ _id: 1, s: 'é'.repeat(40) }));
    const big = Buffer.alloc(70_000, 7);
    const ops: JournalOp[] = [
      { op: 'put', ns: 'app.c', key: 'k1', doc },
      { op: 'put', ns: 'dé.ç\u0000x', key: '\u{1F600}é\u0000', doc: big },
      { op: 'put', ns: 'app.c', key: 'lone \uD800', doc },
      { op: 'delete', ns: 'app.c', key: 'k1' },
      { op: 'createIndex', ns: 'app.c', spec: { key: { a: 1 }, name: 'a_1' } },
      ...Array.from({ length: 20 }, (_, i): JournalOp => ({ op: 'put', ns: 'app.c', key: `k${i}`, doc })),
    ];
    const keyField = (key: string) => (key.includes('\uD800') ? { keyU16: Buffer.from(key, 'utf16le') } : { key });
    const expected = serialize({
      ops: ops.map((op) => {
        if (op.op === 'put') return { op: op.op, ns: op.ns, ...keyField(op.key), doc: op.doc };
        if (op.op === 'delete') return { op: op.op, ns: op.ns, ...keyField(op.key) };
        return op;
      }),
    });
    expect(Buffer.from(encodeCommit(ops)).equals(Buffer.from(expected))).toBe(true);
    expect(Buffer.from(encodeCommit([])).equals(Buffer.from(serialize({ ops: [] })))).toBe(true);
  });
});
