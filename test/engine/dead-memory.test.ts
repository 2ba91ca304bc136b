/**
 * Memory that rewritten documents leave behind: the engine counts the live bytes of each
 * block its documents sit in, moves the survivors of mostly dead blocks once the dead bytes
 * pass half the live ones, and the process then really holds less; contents, natural order,
 * index entries and the data directory are untouched by the move. A drop stops counting its
 * collection's documents, and counts them again when the disk refuses it.
 */
import { execFile } from 'node:child_process';
import { promises as fsp, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { BSON } from 'bson';
import { isSparse, storedMemory } from '../../server/db/embedded/engine/arena';
import { Collection } from '../../server/db/embedded/engine/collection';
import { deserializeDoc, toPlain, type Doc } from '../../server/db/embedded/query/values';
import { startTestEngine, tempDir } from '../helpers/engine';
import { REPO_ROOT } from '../helpers/process';

const SITES = ['ABV', 'CMN', 'DRX'];

describe('memory left by rewritten documents', () => {
  it('moves the documents of mostly dead memory out, keeping their content, order and index entries', () => {
    const coll = new Collection('test', 'moved');
    coll.buildIndex({ v: 2, key: { site: 1 }, name: 'site_1' });
    const text = 'La conseillère a bien répondu. '.repeat(30);
    for (let i = 0; i < 3000; i++) coll.insert({ _id: i, site: SITES[i % 3], text, version: 0 });
    const keys = [...coll.docs.keys()];
    // Two documents in three rewritten, a third of those to another site: the blocks they were written in keep a third alive.
    keys.forEach((key, i) => {
      if (i % 3 === 0) return;
      const before = coll.get(key) as Doc;
      coll.replace(key, before, { ...before, site: i % 9 === 1 ? 'DRX' : before.site, version: 1 });
    });
    const expected = new Map(keys.map((key) => [key, toPlain(coll.get(key) as Doc)]));
    const sparse = [...coll.docs.values()].filter(isSparse).length;
    expect(sparse).toBeGreaterThanOrEqual(900);
    const before = storedMemory();

    const pass = coll.relocateSparse(500);
    let slices = 0;
    let step = pass.next();
    for (; !step.done; step = pass.next()) slices += 1;

    expect(step.value).toBe(sparse);
    expect(slices).toBe(6);
    expect([...coll.docs.values()].some(isSparse)).toBe(false);
    expect([...coll.docs.keys()]).toEqual(keys);
    for (const [key, buf] of coll.docs) expect(toPlain(deserializeDoc(buf))).toEqual(expected.get(key));
    const after = storedMemory();
    expect(after.live).toBe(before.live);
    // The blocks emptied no longer count; the survivors' new slabs do.
    expect(before.held - after.held).toBeGreaterThan(1000 * BSON.calculateObjectSize({ _id: 1, site: 'ABV', text, version: 0 }));
    const drx = [...coll.scan({ site: 'DRX' })].map((d) => Number(d.doc._id)).sort((a, b) => a - b);
    expect(drx).toEqual(keys.map((_, i) => i).filter((i) => i % 3 === 2 || (i % 3 !== 0 && i % 9 === 1)));
  });

  it('no longer counts the documents of a dropped collection', async () => {
    const t = await startTestEngine();
    try {
      const before = storedMemory().live;
      await t.db.collection<{ _id: number; pad: string }>('staging').insertMany(Array.from({ length: 500 }, (_, i) => ({ _id: i, pad: 'x'.repeat(1000) })));
      const written = storedMemory().live - before;
      expect(written).toBeGreaterThan(500 * 1000);
      await t.db.collection('staging').drop();
      expect(storedMemory().live).toBe(before);
    } finally {
      await t.destroy();
    }
  });

  it('counts the documents of a drop the full disk refused again, and lets them go once a drop goes through', async () => {
    // The journal's sync refuses one commit at a time with ENOSPC, as a full disk does; the engine then undoes the drop in memory.
    const probe = await fsp.open(__filename, 'r');
    const fileHandle = Object.getPrototypeOf(probe) as fsp.FileHandle;
    await probe.close();
    const diskFull = () => Object.assign(new Error('ENOSPC: no space left on device, fdatasync'), { code: 'ENOSPC' });
    const sync = jest.spyOn(fileHandle, 'datasync');
    const t = await startTestEngine();
    try {
      const base = storedMemory().live;
      const fill = (name: string) => t.db.collection<{ _id: number; pad: string }>(name).insertMany(Array.from({ length: 300 }, (_, i) => ({ _id: i, pad: name.repeat(200) })));
      await fill('kept');
      const kept = storedMemory().live - base;
      await fill('other');
      await t.client.db('second').collection<{ _id: number; pad: string }>('extra').insertOne({ _id: 1, pad: 'x'.repeat(5000) });
      const written = storedMemory().live;
      const refused = async (write: () => Promise<unknown>) => {
        sync.mockRejectedValueOnce(diskFull());
        await expect(write()).rejects.toMatchObject({ code: 14031, codeName: 'OutOfDiskSpace' });
        expect(storedMemory().live).toBe(written);
      };

      await refused(() => t.db.collection('kept').drop());
      await refused(() => t.db.collection('other').rename('kept', { dropTarget: true }));
      await refused(() => t.db.dropDatabase());
      await refused(() => t.client.db('second').dropDatabase());
      expect(await t.db.collection('kept').countDocuments({ pad: /^kept/ })).toBe(300);
      expect(await t.db.collection('other').countDocuments()).toBe(300);
      expect(await t.client.db('second').collection('extra').countDocuments()).toBe(1);

      // The disk has room again: the same drops go through and release what they held.
      await t.db.collection('kept').drop();
      expect(storedMemory().live).toBe(written - kept);
      await t.db.dropDatabase();
      await t.client.db('second').dropDatabase();
      expect(storedMemory().live).toBe(base);
    } finally {
      sync.mockRestore();
      await t.destroy();
    }
  });

  it('frees that memory in a running engine once dead bytes pass half the live ones, and the data stays whole across a restart', async () => {
    const run = promisify(execFile);
    const fixture = path.join(REPO_ROOT, 'test/fixtures/dead-memory.ts');
    const dirs = { kept: tempDir(), moved: tempDir() };
    try {
      const measure = async (dir: string, move: 'yes' | 'no') => {
        const { stdout } = await run(process.execPath, ['--expose-gc', '--require', 'tsx/cjs', fixture, dir, move], { cwd: REPO_ROOT });
        return JSON.parse(stdout) as { live: number; held: number; arrayBuffers: number; counts: { responses: number; answered: number }; intact: boolean };
      };
      const [kept, moved] = await Promise.all([measure(dirs.kept, 'no'), measure(dirs.moved, 'yes')]);

      expect(kept.counts).toEqual({ responses: 4750, answered: 4750 });
      expect(moved.counts).toEqual(kept.counts);
      expect(moved.intact && kept.intact).toBe(true);
      expect(moved.live).toBe(kept.live);
      // Nothing moved: the blocks hold over twice what is live in them.
      expect(kept.held).toBeGreaterThan(2 * kept.live);
      expect(moved.held).toBeLessThanOrEqual(1.5 * moved.live);
      // The process itself holds less by (nearly) what the count says was freed: no other reference kept those blocks.
      expect(kept.arrayBuffers - moved.arrayBuffers).toBeGreaterThan(0.9 * (kept.held - moved.held));

      const t = await startTestEngine(dirs.moved);
      try {
        expect(await t.db.collection('responses').countDocuments({ site: 'DRX' })).toBe(1583);
        expect(await t.db.collection('invitations').countDocuments({ state: 'sent' })).toBe(5250);
      } finally {
        await t.stop();
      }
    } finally {
      for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
    }
  });
});
