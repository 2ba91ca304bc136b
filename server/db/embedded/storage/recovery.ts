/**
 * Start-up recovery: picks the newest snapshot that loads cleanly and whose later journals
 * are all present, replays those journals, then tidies the directory (leftover temporary
 * files, files the snapshot covers). Refuses to start rather than silently lose data.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { emptyState } from './apply-op';
import type { CatalogState } from './types';
import { fsyncDir, journalName, listDir, removeFiles, snapshotName } from './files';
import { replayJournal } from './journal';
import { SnapshotDamaged, readSnapshot } from './snapshot';

export interface Recovered {
  state: CatalogState;
  /** Generation of the snapshot the state was built from (1 and no file when starting from nothing). */
  snapshotGen: number;
  snapshotBytes: number;
  /** The journal to append to: the newest one. */
  journalGen: number;
  journalSize: number;
  /** Bytes in every journal since the snapshot, the current one included. */
  journalBytes: number;
}

export async function recover(dir: string, log: Logger): Promise<Recovered> {
  const started = Date.now();
  const { journals, snapshots, temps } = await listDir(dir);
  if (journals.length === 0 && snapshots.length === 0) {
    await fs.writeFile(path.join(dir, journalName(1)), '', { flag: 'wx' });
    await removeFiles(dir, temps);
    await fsyncDir(dir);
    return { state: emptyState(), snapshotGen: 1, snapshotBytes: 0, journalGen: 1, journalSize: 0, journalBytes: 0 };
  }
  // Journal g is created before snapshot g is written, so every generation up to the newest
  // file's must have its journal; a gap means history that no file holds anymore.
  const newest = Math.max(journals.at(-1) ?? 0, snapshots[0] ?? 0);
  const present = new Set(journals);
  const problems: string[] = [];
  const damaged: number[] = [];

  // Newest snapshot first; 0 stands for "no snapshot: replay every journal from the first".
  for (const candidate of [...snapshots, 0]) {
    const base = Math.max(candidate, 1);
    const label = candidate ? snapshotName(candidate) : 'an empty catalog';
    let missing = 0;
    for (let gen = base; gen <= newest && !missing; gen++) if (!present.has(gen)) missing = gen;
    if (missing) {
      problems.push(`starting from ${label} needs ${journalName(missing)}, which is missing`);
      continue;
    }
    let state = emptyState();
    let snapshotBytes = 0;
    if (candidate) {
      try {
        ({ state, bytes: snapshotBytes } = await readSnapshot(path.join(dir, snapshotName(candidate)), candidate));
      } catch (err) {
        if (!(err instanceof SnapshotDamaged)) throw err;
        log.warn({ snapshot: label, reason: err.message }, `snapshot ${label} is damaged; trying an older one`);
        problems.push(`${label} is damaged (${err.message})`);
        damaged.push(candidate);
        continue;
      }
    }
    let journalBytes = 0;
    let journalSize = 0;
    for (let gen = base; gen <= newest; gen++) {
      journalSize = await replayJournal(path.join(dir, journalName(gen)), state, gen === newest, log);
      journalBytes += journalSize;
    }
    // Damaged snapshots are kept aside for inspection, out of the way of the next start.
    for (const gen of damaged) {
      const file = path.join(dir, snapshotName(gen));
      await fs.rename(file, `${file}.damaged`);
    }
    await removeFiles(dir, [
      ...temps,
      ...journals.filter((gen) => gen < base).map(journalName),
      ...snapshots.filter((gen) => gen < base).map(snapshotName),
    ]);
    if (damaged.length > 0) await fsyncDir(dir);
    let documents = 0;
    for (const coll of state.collections.values()) documents += coll.docs.size;
    log.info({ snapshot: candidate || null, journals: newest - base + 1, collections: state.collections.size, documents,
      ms: Date.now() - started }, 'storage recovered');
    return { state, snapshotGen: base, snapshotBytes, journalGen: newest, journalSize, journalBytes };
  }
  throw new Error(`cannot recover data directory ${dir}: ${problems.join('; ')}`);
}
