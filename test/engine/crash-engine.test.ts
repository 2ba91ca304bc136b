/**
 * Kill -9 of the whole engine process: several driver clients write with
 * acknowledgements, the engine is killed with SIGKILL at seeded random moments, and
 * after each restart every acknowledged write is there, intact.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { tempDir } from '../helpers/engine';
import { seeded } from '../helpers/random';

const CLI = path.resolve(__dirname, '../../server/db/embedded/cli.ts');

function startEngine(dbPath: string): Promise<{ child: ChildProcess; uri: string }> {
  const child = fork(CLI, ['--port', '0', '--dbpath', dbPath], { execArgv: ['--require', 'tsx/cjs'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  return new Promise((resolve, reject) => {
    // `loading` reports come first while it opens the data directory.
    child.on('message', (msg: { type: string; uri?: string; message?: string }) => {
      if (msg.type === 'ready') resolve({ child, uri: msg.uri! });
      else if (msg.type === 'error') reject(new Error(msg.message));
    });
    child.once('exit', (code) => reject(new Error(`engine exited with ${code}`)));
  });
}

interface Acked {
  inserts: Map<string, string>;
  counters: Map<string, number>;
}

async function writeUntilKilled(uri: string, clientNo: number, round: number, acked: Acked): Promise<void> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 2000, maxPoolSize: 5, retryWrites: false });
  try {
    await client.connect();
    const coll = client.db('crash').collection<{ _id: string; payload?: string; v?: number }>('docs');
    for (let seq = 0; ; seq++) {
      const id = `r${round}-c${clientNo}-${seq}`;
      const payload = `${id}:${'x'.repeat(seq % 200)}`;
      await coll.insertOne({ _id: id, payload });
      acked.inserts.set(id, payload);
      const counter = `counter-${clientNo}`;
      const next = (acked.counters.get(counter) ?? 0) + 1;
      await coll.updateOne({ _id: counter }, { $set: { v: next } }, { upsert: true });
      acked.counters.set(counter, next);
    }
  } catch {
    // The engine was killed under us: what was acknowledged before is what counts.
  } finally {
    await client.close(true).catch(() => undefined);
  }
}

describe('crash recovery of the engine process', () => {
  const dbPath = tempDir('retour-crash-');
  afterAll(() => rmSync(dbPath, { recursive: true, force: true }));

  it('recovers every acknowledged write after SIGKILL at random moments, over several rounds', async () => {
    const random = seeded(20261129);
    const acked: Acked = { inserts: new Map(), counters: new Map() };
    for (let round = 0; round < 4; round++) {
      const { child, uri } = await startEngine(dbPath);
      const writers = [0, 1, 2].map((c) => writeUntilKilled(uri, c, round, acked));
      await new Promise((r) => setTimeout(r, 150 + Math.floor(random() * 600)));
      child.kill('SIGKILL');
      await Promise.all(writers);

      const { child: again, uri: uri2 } = await startEngine(dbPath);
      const client = new MongoClient(uri2);
      try {
        const docs = await client.db('crash').collection<{ _id: string; payload?: string; v?: number }>('docs').find().toArray();
        const byId = new Map(docs.map((d) => [d._id, d]));
        for (const [id, payload] of acked.inserts) expect(byId.get(id)?.payload).toBe(payload);
        for (const [id, v] of acked.counters) {
          // A write in flight at the kill may or may not have landed; an acknowledged one must have.
          expect(byId.get(id)?.v).toBeGreaterThanOrEqual(v);
          acked.counters.set(id, byId.get(id)!.v!);
        }
        for (const d of docs) {
          if (d.payload !== undefined) expect(d.payload.startsWith(`${d._id}:`)).toBe(true);
        }
      } finally {
        await client.close();
        again.kill('SIGKILL');
        await new Promise((r) => again.once('exit', r));
      }
    }
    expect(acked.inserts.size).toBeGreaterThan(20);
  }, 120_000);
});
