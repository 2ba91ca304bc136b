/**
 * The app's side of the embedded engine's IPC contract (ready, progress, error, early
 * exit, timeout, stop), checked against a stand-in engine so it needs no database.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ENGINE_V8_FLAGS, startEmbeddedProcess } from '../../server/db/embedded-process';
import { StartupError } from '../../server/errors';
import { createLogger } from '../../server/logger';
import { REPO_ROOT } from '../helpers/process';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

const cliPath = path.join(__dirname, '..', 'fixtures', 'fake-engine.ts');
const logger = createLogger({ logLevel: process.env.LOG_LEVEL === undefined ? 'silent' : 'debug' });

function start(mode: string, options: { startTimeoutMs?: number; onExit?: () => void } = {}) {
  // The stand-in reads its behaviour from the last part of its data directory.
  return startEmbeddedProcess(path.join(makeTempDir(), mode), logger, { cliPath, ...options });
}

afterAll(removeTempDirs);

describe('the embedded engine process', () => {
  it('resolves with the URI the engine reports once it is ready, and stops it on request', async () => {
    const engine = await start('ready');
    expect(engine.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    expect(engine.pid).not.toBe(process.pid);
    await engine.stop();
    expect(() => process.kill(engine.pid, 0)).toThrow();
  });

  it('runs the engine with its garbage collected on its own thread, leaving the other cores to the app, without pretenuring and with a bounded heap growth', async () => {
    const engine = await start('ready');
    const commandLine = readFileSync(`/proc/${engine.pid}/cmdline`, 'utf8').split('\0');
    await engine.stop();
    expect(ENGINE_V8_FLAGS).toEqual(['--single-threaded-gc', '--no-allocation-site-pretenuring', '--heap-growing-percent=30']);
    expect(commandLine).toEqual(expect.arrayContaining(ENGINE_V8_FLAGS));
    // The engine started alone (`npm run db`) runs the same way.
    const scripts = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.db?.split(' ')).toEqual(expect.arrayContaining(ENGINE_V8_FLAGS));
  });

  it('fails naming DATA_DIR with the engine’s own reason', async () => {
    const attempt = start('error');
    await expect(attempt).rejects.toBeInstanceOf(StartupError);
    await expect(attempt).rejects.toMatchObject({ variable: 'DATA_DIR' });
    await expect(attempt).rejects.toThrow(/could not start on DATA_DIR=.*: data directory \/x is locked by pid 123/);
  });

  it('explains an engine that crashes while loading', async () => {
    await expect(start('crash')).rejects.toThrow(
      /exited before it was ready \(code 1\): TypeError: the engine broke while loading/,
    );
  });

  it('gives up when the engine reports nothing for the start-up timeout, and kills it', async () => {
    await expect(start('hang', { startTimeoutMs: 1500 })).rejects.toThrow(/did not start: it reported no progress for 1.5 s while opening DATA_DIR=.*hang/);
  });

  it('waits longer than the start-up timeout for an engine that keeps reporting its progress, and says how far it is', async () => {
    const lines: { level: number; msg: string; indexed?: number; documents?: number }[] = [];
    const watched = createLogger({ logLevel: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const engine = await startEmbeddedProcess(path.join(makeTempDir(), 'slow'), watched, { cliPath, startTimeoutMs: 1000 });
    expect(engine.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    await engine.stop();
    // Reported every 300 ms for 2 s: the first report at info level, the others within 5 s at debug.
    const told = lines.filter((line) => line.msg === 'embedded engine opening its data directory');
    expect(told).toEqual([expect.objectContaining({ level: 30, indexed: 100, documents: 700 })]);
  });

  it('reports an engine that dies under the running app', async () => {
    const onExit = jest.fn();
    const engine = await start('ready', { onExit });
    process.kill(engine.pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(onExit).toHaveBeenCalledWith(null, 'SIGKILL');
    await engine.stop();
  });
});
