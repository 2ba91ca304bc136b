/**
 * The data directory lock: `mongod.lock` holds the pid of the process that owns the directory.
 * A lock whose process is gone is taken over; a live one refuses with "data directory X is
 * locked by pid N". Node has no flock, so exclusivity rests on atomic link() and rename().
 */
import fs from 'node:fs/promises';
import path from 'node:path';

const LOCK_FILE = 'mongod.lock';

/** Directories (real paths) held by Store instances of this process: a pid check cannot tell them apart. */
const heldHere = new Set<string>();

export interface DirLock {
  release(): Promise<void>;
}

function lockedError(dbPath: string, pid: number): Error {
  return new Error(`data directory ${dbPath} is locked by pid ${pid}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}

async function readPid(file: string): Promise<number | undefined> {
  try {
    const text = await fs.readFile(file, 'utf8');
    return /^\d+\s*$/.test(text) ? Number(text.trim()) : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** A file holding our pid, written aside first so nobody ever reads it empty. */
async function pidFileAside(target: string): Promise<string> {
  const aside = `${target}.${process.pid}.new`;
  await fs.writeFile(aside, `${process.pid}\n`);
  return aside;
}

/** Creates `target` holding our pid; false if it already exists (link() never replaces). */
async function createWithPid(target: string): Promise<boolean> {
  const aside = await pidFileAside(target);
  try {
    await fs.link(aside, target);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await fs.rm(aside, { force: true });
  }
}

/**
 * Replaces a stale lock (dead pid, or unreadable). A `.takeover` marker, itself created
 * atomically, keeps two processes from both taking over the same stale lock.
 */
async function takeOver(dbPath: string, file: string, stalePid: number | undefined): Promise<void> {
  const marker = `${file}.takeover`;
  while (!(await createWithPid(marker))) {
    const other = await readPid(marker);
    if (other !== undefined && other !== process.pid && isAlive(other)) throw lockedError(dbPath, other);
    await fs.rm(marker, { force: true }); // left by a process that died while taking over
  }
  try {
    const now = await readPid(file);
    if (now !== stalePid && now !== undefined && isAlive(now)) throw lockedError(dbPath, now);
    await fs.rename(await pidFileAside(file), file);
  } finally {
    await fs.rm(marker, { force: true });
  }
}

/** Pid files written aside by processes that died before linking them into place. */
async function removeLeftovers(dir: string): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    const match = /^mongod\.lock(?:\.takeover)?\.(\d+)\.new$/.exec(name);
    if (match && Number(match[1]) !== process.pid && !isAlive(Number(match[1]))) await fs.rm(path.join(dir, name), { force: true });
  }
}

/**
 * Takes the lock of `dbPath` (which must exist). Throws `data directory ${dbPath} is locked
 * by pid ${pid}` when a live process, or another Store of this process, holds it.
 */
export async function acquireLock(dbPath: string): Promise<DirLock> {
  const real = await fs.realpath(dbPath);
  if (heldHere.has(real)) throw lockedError(dbPath, process.pid);
  heldHere.add(real);
  const file = path.join(real, LOCK_FILE);
  try {
    while (!(await createWithPid(file))) {
      const pid = await readPid(file);
      if (pid !== undefined && pid !== process.pid && isAlive(pid)) throw lockedError(dbPath, pid);
      // Stale: its process is gone (or it is ours, left by a store of this process that never closed).
      await takeOver(dbPath, file, pid);
      if ((await readPid(file)) === process.pid) break;
    }
  } catch (err) {
    heldHere.delete(real);
    throw err;
  }
  await removeLeftovers(real);
  return {
    async release() {
      if ((await readPid(file)) === process.pid) await fs.rm(file, { force: true });
      heldHere.delete(real);
    },
  };
}
