/**
 * connect(): MongoDB when MONGODB_URI is set, else the embedded engine as a child
 * process on DATA_DIR. All but the first test need the embedded engine (server/db/embedded).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import mongoose from 'mongoose';
import { connect, redactUri, type Database } from '../../server/db';
import { StartupError } from '../../server/errors';
import { createLogger } from '../../server/logger';
import { useTestDatabase } from '../helpers/database';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

const logger = createLogger({ logLevel: process.env.LOG_LEVEL === undefined ? 'silent' : 'info' });
const databases: Database[] = [];

afterEach(async () => {
  for (const db of databases.splice(0)) await db.disconnect();
});
afterAll(removeTempDirs);

describe('connect() to MongoDB', () => {
  it('fails naming MONGODB_URI, without its password, when nothing answers there', async () => {
    const attempt = connect({ mongodbUri: 'mongodb://retour:hunter2@127.0.0.1:9/retour', dataDir: makeTempDir() }, logger, {
      serverSelectionTimeoutMs: 300,
    });
    await expect(attempt).rejects.toBeInstanceOf(StartupError);
    await expect(attempt).rejects.toMatchObject({ variable: 'MONGODB_URI' });
    await expect(attempt).rejects.toThrow(/MONGODB_URI mongodb:\/\/127\.0\.0\.1:9\/retour did not answer/);
  });

  it('never logs credentials of the URI', () => {
    expect(redactUri('mongodb+srv://user:pw@cluster0.example.net/retour')).toBe('mongodb+srv://cluster0.example.net/retour');
  });
});

describe('connect() to the embedded engine (needs server/db/embedded)', () => {
  it('starts the engine on an empty DATA_DIR and Mongoose works against it', async () => {
    const dataDir = path.join(makeTempDir(), 'not-yet-created');
    const db = await connect({ mongodbUri: undefined, dataDir }, logger);
    databases.push(db);
    expect(db.kind).toBe('embedded');
    expect(db.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+/);
    expect(fs.existsSync(dataDir)).toBe(true);

    const Note = mongoose.models.Note ?? mongoose.model('Note', new mongoose.Schema({ text: String }));
    await Note.create({ text: 'bonjour' });
    expect(await Note.findOne({ text: 'bonjour' }).lean()).toMatchObject({ text: 'bonjour' });
  });

  it('runs the engine in another process and stops it on disconnect', async () => {
    const db = await connect({ mongodbUri: undefined, dataDir: makeTempDir() }, logger);
    const port = Number(new URL(db.uri).port);
    await db.disconnect();
    await expect(
      new Promise((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => resolve(socket.destroy()));
        socket.once('error', reject);
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it('keeps data across restarts on the same DATA_DIR', async () => {
    const dataDir = makeTempDir();
    const Visit = mongoose.models.Visit ?? mongoose.model('Visit', new mongoose.Schema({ n: Number }));
    const first = await connect({ mongodbUri: undefined, dataDir }, logger);
    await Visit.create({ n: 1 });
    await first.disconnect();
    const second = await connect({ mongodbUri: undefined, dataDir }, logger);
    databases.push(second);
    expect(await Visit.countDocuments({ n: 1 })).toBe(1);
  });

  it('refuses a DATA_DIR another engine holds, naming DATA_DIR', async () => {
    const dataDir = makeTempDir();
    const db = await connect({ mongodbUri: undefined, dataDir }, logger);
    databases.push(db);
    const second = connect({ mongodbUri: undefined, dataDir }, logger);
    await expect(second).rejects.toMatchObject({ variable: 'DATA_DIR' });
    await expect(second).rejects.toThrow(/lock/i);
  });

  it('gives up with a clear error when the engine does not start in time', async () => {
    const attempt = connect({ mongodbUri: undefined, dataDir: makeTempDir() }, logger, { startTimeoutMs: 1 });
    await expect(attempt).rejects.toThrow(/did not start: it reported no progress for/);
  });
});

describe('useTestDatabase() (needs server/db/embedded)', () => {
  const database = useTestDatabase();

  it('gives the test file its own embedded database through Mongoose', async () => {
    expect(database().kind).toBe('embedded');
    const Site = mongoose.models.Site ?? mongoose.model('Site', new mongoose.Schema({ code: { type: String, unique: true } }));
    await Site.init();
    await Site.create({ code: 'ABV' });
    await expect(Site.create({ code: 'ABV' })).rejects.toMatchObject({ code: 11000 });
  });
});
