/**
 * Crash safety of the storage: a child process writes concurrently and is killed with SIGKILL
 * at seeded random moments (some of them during compaction); every reopen must hold every
 * acknowledged write with its exact bytes, nothing never written, and only valid BSON.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deserialize } from 'bson';
import { Store } from '../../server/db/embedded/storage';
import { seeded as prng } from '../helpers/random';

const NS = 'crash.docs';
const SEED = 20261120;
const FIXTURE = path.join(__dirname, 'fixtures', 'crash-writer.ts');

/** One op of a commit as the writer announced it: a put carries the SHA-1 of its document. */
type Announced = [op: 'put' | 'delete', key: string, sha1: string | null];

interface Round {
  mode: 'plain' | 'compact';
  /** plain: ms after "ready"; compact: ms after the `nth` compaction started. */
  delayMs: number;
  nth: number;
}

/** Runs the writer until the kill and returns every complete line it printed. */
function runWriter(dir: string, round: number, plan: Round): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', FIXTURE, dir, String(SEED + round), String(round), plan.mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffered = '';
    const lines: string[] = [];
    let starts = 0;
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    const deadline = setTimeout(kill, 8000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (plan.mode === 'plain' && line === 'ready') setTimeout(kill, plan.delayMs);
        if (plan.mode === 'compact' && line === 'C start' && ++starts === plan.nth) setTimeout(kill, plan.delayMs);
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(deadline);
      resolve(lines); // a partial last line was cut by the kill and is ignored
    });
  });
}

/** Applies an announced commit to a model of the collection (key → SHA-1). */
function applyAnnounced(model: Map<string, string>, ops: Announced[]): void {
  for (const [op, key, sha1] of ops) {
    if (op === 'put') model.set(key, sha1!);
    else model.delete(key);
  }
}

describe('storage under kill -9', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retour-crash-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('recovers every acknowledged write, and nothing else, after kills at random moments including during compaction', async () => {
    const rand = prng(SEED);
    const plans: Round[] = [
      ...Array.from({ length: 5 }, (): Round => ({ mode: 'plain', delayMs: 100 + Math.floor(rand() * 300), nth: 0 })),
      ...Array.from({ length: 4 }, (): Round => ({ mode: 'compact', delayMs: Math.floor(rand() * 30), nth: 1 + Math.floor(rand() * 2) })),
    ];
    const model = new Map<string, string>(); // what must be on disk: key → SHA-1 of its bytes
    let acknowledged = 0;
    let interruptedCompactions = 0;
    let finishedCompactions = 0;

    for (const [round, plan] of plans.entries()) {
      const lines = await runWriter(dir, round, plan);
      const context = `round ${round} (${JSON.stringify(plan)}, seed ${SEED})`;
      expect(lines.filter((line) => line.startsWith('E ') || line.startsWith('C failed'))).toEqual([]);
      expect(lines[0]).toBe('ready');

      const inFlight = new Map<string, Announced[]>(); // writer → its announced, unacknowledged commit
      for (const line of lines) {
        const [tag, writer, , json] = line.split(' ');
        if (tag === 'B') inFlight.set(writer, JSON.parse(json) as Announced[]);
        if (tag === 'A') {
          applyAnnounced(model, inFlight.get(writer)!);
          inFlight.delete(writer);
          acknowledged += 1;
        }
      }
      const compactions = lines.filter((line) => line.startsWith('C '));
      if (compactions.at(-1) === 'C start') interruptedCompactions += 1;
      finishedCompactions += compactions.filter((line) => line === 'C done').length;

      const { store, state } = await Store.open(dir);
      const docs = state.collections.get(NS)?.docs ?? new Map<string, Buffer>();
      const digest = (key: string): string | undefined => {
        const doc = docs.get(key);
        return doc && createHash('sha1').update(doc).digest('hex');
      };
      // A commit in flight at the kill may have reached the disk: all of it, or none of it.
      for (const ops of inFlight.values()) {
        const landed = ops.map(([op, key, sha1]) => (op === 'put' ? digest(key) === sha1 : !docs.has(key)));
        const unchanged = ops.map(([, key]) => digest(key) === model.get(key));
        if (landed.every(Boolean)) applyAnnounced(model, ops);
        else if (!unchanged.every(Boolean)) throw new Error(`${context}: a commit was recovered in part: ${JSON.stringify(ops)}`);
      }
      const recovered = new Map([...docs.keys()].map((key) => [key, digest(key)!]));
      expect({ context, docs: Object.fromEntries(recovered) }).toEqual({ context, docs: Object.fromEntries(model) });
      for (const [key, doc] of docs) expect(deserialize(doc)._id).toBe(key);
      await store.close();
    }

    expect(acknowledged).toBeGreaterThan(500);
    expect(finishedCompactions).toBeGreaterThan(0);
    expect(interruptedCompactions).toBeGreaterThan(0);
  }, 60_000);
});
