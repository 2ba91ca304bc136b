/**
 * Running the engine alone (`npm run db`): it logs where it listens, refuses a data
 * directory another process holds, and stops cleanly on SIGINT and SIGTERM.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { CursorManager } from '../../server/db/embedded/engine/cursors';
import { tempDir } from '../helpers/engine';

const CLI = path.resolve(__dirname, '../../server/db/embedded/cli.ts');

function runCli(dbPath: string) {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', CLI, '--port', '0', '--dbpath', dbPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /listening on (mongodb:\/\/\S+?)"/.exec(output);
      if (m) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`exited early: ${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, listening, exited, output: () => output };
}

describe('npm run db', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('logs its address, serves, and exits 0 on %s', async (signal) => {
    const dbPath = tempDir();
    const db = runCli(dbPath);
    const uri = await db.listening;
    const client = await MongoClient.connect(uri);
    await client.db('cli').collection('c').insertOne({ signal });
    await client.close();
    db.child.kill(signal);
    expect(await db.exited).toBe(0);

    const again = runCli(dbPath);
    const client2 = await MongoClient.connect(await again.listening);
    expect(await client2.db('cli').collection('c').countDocuments({ signal })).toBe(1);
    await client2.close();
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('refuses a data directory that another running engine holds, naming its pid', async () => {
    const dbPath = tempDir();
    const first = runCli(dbPath);
    await first.listening;
    const second = runCli(dbPath);
    await expect(second.listening).rejects.toThrow(`is locked by pid ${first.child.pid}`);
    expect(await second.exited).toBe(1);
    first.child.kill('SIGTERM');
    await first.exited;
  });
});

describe('cursors', () => {
  it('expires a cursor idle for longer than the timeout and answers CursorNotFound (43)', () => {
    const cursors = new CursorManager(1000);
    const source = [{ a: 1 }, { a: 2 }, { a: 3 }][Symbol.iterator]();
    const { id } = cursors.open('db.c', source, 1);
    expect(cursors.openCount).toBe(1);
    cursors.expireIdle(Date.now() + 2000);
    expect(() => cursors.next(id, 'db.c', 1)).toThrow(expect.objectContaining({ code: 43 }));
    cursors.close();
  });
});
