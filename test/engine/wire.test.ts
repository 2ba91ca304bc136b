/**
 * The embedded engine's wire protocol, TCP server and handshake/admin commands, driven by
 * the official driver and by hand-built messages on raw sockets.
 * CRUD is other files' business: the engine here is a stub no handshake command touches.
 */
import { once } from 'node:events';
import net from 'node:net';
import { BSON, type Document } from 'bson';
import { MongoClient, type MongoServerError } from 'mongodb';
import pino from 'pino';
import { registerCommands } from '../../server/db/embedded/commands/registry';
import { createWireServer, isLoopbackHost, type WireServer } from '../../server/db/embedded/server';
import { crc32c } from '../../server/db/embedded/wire/crc32c';
import { encodeMsg } from '../../server/db/embedded/wire/encode';
import { FrameReader } from '../../server/db/embedded/wire/framing';
import { engineStub } from '../helpers/engine';

type LogLine = { level: number; conn?: number; err?: string; msg: string };

function startServer(): Promise<{ server: WireServer; port: number; logs: LogLine[] }> {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const server = createWireServer({ engine: engineStub(), host: '127.0.0.1', port: 0, logger });
  return server.listen().then((port) => ({ server, port, logs }));
}

type RawClient = Awaited<ReturnType<typeof rawClient>>;

/** A socket whose next() resolves with the next reply frame, or null once the server closed it. */
async function rawClient(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const reader = new FrameReader();
  const frames: (Buffer | null)[] = [];
  let wake: () => void = () => undefined;
  socket.on('data', (chunk: Buffer) => {
    frames.push(...reader.push(chunk));
    wake();
  });
  socket.on('close', () => {
    frames.push(null);
    wake();
  });
  socket.on('error', () => undefined);
  return {
    socket,
    send: (...messages: Buffer[]) => messages.forEach((m) => socket.write(m)),
    async next(): Promise<Buffer | null> {
      while (frames.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return frames[0] === null ? null : (frames.shift() as Buffer);
    },
  };
}

let nextId = 1000;
const msg = (body: Document, extra: { sequences?: Record<string, Document[]>; flags?: number; checksum?: boolean } = {}) =>
  encodeMsg({ body: { ...body, $db: 'admin' }, ...extra }, { requestId: ++nextId, responseTo: 0 });

function opQuery(namespace: string, query: Document): Buffer {
  const ns = Buffer.from(`${namespace}\0`);
  const head = Buffer.alloc(20);
  const tail = Buffer.alloc(8);
  tail.writeInt32LE(-1, 4);
  const out = Buffer.concat([head, ns, tail, Buffer.from(BSON.serialize(query))]);
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(++nextId, 4);
  out.writeInt32LE(2004, 12);
  return out;
}

const requestIdOf = (message: Buffer) => message.readInt32LE(4);

function readReply(frame: Buffer | null): { opCode: number; responseTo: number; flags: number; body: Document } {
  if (!frame) throw new Error('connection closed instead of replying');
  const opCode = frame.readInt32LE(12);
  const flags = frame.readUInt32LE(16);
  const bodyAt = opCode === 1 ? 36 : 21;
  const end = opCode === 2013 && flags & 1 ? frame.length - 4 : frame.length;
  return { opCode, responseTo: frame.readInt32LE(8), flags, body: BSON.deserialize(frame.subarray(bodyAt, end)) };
}

const echoed: Document[] = [];
registerCommands({
  wireEcho: (cmd) => {
    echoed.push(cmd);
    return { fields: Object.keys(cmd), documents: cmd.documents ?? null };
  },
  wireSleep: async (cmd) => {
    await new Promise((resolve) => setTimeout(resolve, Number(cmd.wireSleep)));
    return { slept: Number(cmd.wireSleep) };
  },
});

let server: WireServer;
let port: number;
let logs: LogLine[];
let client: MongoClient;

beforeAll(async () => {
  ({ server, port, logs } = await startServer());
  client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
});

afterAll(async () => {
  await client.close();
  await server.close();
});

describe('through the official driver', () => {
  const admin = () => client.db('admin');

  it('answers ping', async () => {
    await expect(admin().command({ ping: 1 })).resolves.toEqual({ ok: 1 });
  });

  it('says hello as a writable standalone of wire version 25 (MongoDB 8.0) without a topologyVersion', async () => {
    const reply = await admin().command({ hello: 1 });
    expect(reply).toMatchObject({
      isWritablePrimary: true, maxBsonObjectSize: 16777216, maxMessageSizeBytes: 48000000, maxWriteBatchSize: 100000,
      logicalSessionTimeoutMinutes: 30, minWireVersion: 0, maxWireVersion: 25, readOnly: false, ok: 1,
    });
    expect(reply.localTime).toBeInstanceOf(Date);
    expect(typeof reply.connectionId).toBe('number');
    expect(reply).not.toHaveProperty('topologyVersion');
    expect(reply).not.toHaveProperty('setName');
  });

  it('answers legacy isMaster with ismaster, and helloOk only when asked', async () => {
    const asked = await admin().command({ isMaster: 1, helloOk: true });
    expect(asked).toMatchObject({ ismaster: true, helloOk: true, maxWireVersion: 25 });
    const plain = await admin().command({ ismaster: 1 });
    expect(plain.ismaster).toBe(true);
    expect(plain).not.toHaveProperty('helloOk');
  });

  it('reports version 8.0.0 in buildInfo', async () => {
    await expect(admin().command({ buildInfo: 1 })).resolves.toMatchObject({
      version: '8.0.0', versionArray: [8, 0, 0, 0], bits: 64, maxBsonObjectSize: 16777216, ok: 1,
    });
  });

  it('reports connections, memory and the storage engine in serverStatus', async () => {
    const status = await admin().command({ serverStatus: 1 });
    expect(status).toMatchObject({ version: '8.0.0', process: 'mongod', pid: process.pid, storageEngine: { name: 'retour-embedded' } });
    expect(status.connections.current).toBeGreaterThanOrEqual(1);
    expect(status.connections.totalCreated).toBeGreaterThanOrEqual(status.connections.current);
    expect(status.connections.available).toBeGreaterThan(0);
    expect(status.mem.resident).toBeGreaterThan(0);
    expect(status.uptimeMillis).toBeGreaterThanOrEqual(0);
    expect(status.host).toContain(`:${port}`);
  });

  it('fails an unknown command with code 59 CommandNotFound', async () => {
    await expect(admin().command({ noSuchCommand: 1 })).rejects.toMatchObject({ code: 59, codeName: 'CommandNotFound' });
  });

  it('returns known parameters from getParameter and fails unknown ones with code 72', async () => {
    await expect(admin().command({ getParameter: 1, featureCompatibilityVersion: 1 })).resolves.toMatchObject({
      featureCompatibilityVersion: { version: '8.0' },
    });
    const all = await admin().command({ getParameter: '*' });
    expect(all).toMatchObject({ featureCompatibilityVersion: { version: '8.0' }, maxBSONDepth: 200 });
    await expect(admin().command({ getParameter: 1, noSuchParameter: 1 })).rejects.toMatchObject({
      code: 72, message: 'no option found to get',
    });
  });

  it('refuses admin-only commands on another database with code 13', async () => {
    await expect(client.db('retour').command({ getParameter: '*' })).rejects.toMatchObject({ code: 13 });
  });

  it('tells the client its own address and that nobody is authenticated', async () => {
    const { you } = await admin().command({ whatsmyuri: 1 });
    expect(you).toMatch(/^127\.0\.0\.1:\d+$/);
    await expect(admin().command({ connectionStatus: 1 })).resolves.toMatchObject({
      authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] },
    });
  });

  it('answers hostInfo, getLog and getCmdLineOpts', async () => {
    const host = await admin().command({ hostInfo: 1 });
    expect(host.system.numCores).toBeGreaterThan(0);
    expect(typeof host.os.type).toBe('string');
    await expect(admin().command({ getLog: 'startupWarnings' })).resolves.toMatchObject({ totalLinesWritten: 0, log: [] });
    await expect(admin().command({ getCmdLineOpts: 1 })).resolves.toMatchObject({ parsed: { net: { port } } });
  });

  it('lists registered commands by their own spelling', async () => {
    const { commands } = await admin().command({ listCommands: 1 });
    expect(Object.keys(commands)).toEqual(expect.arrayContaining(['hello', 'isMaster', 'ping', 'buildInfo', 'listCommands']));
  });

  it('starts a server session with a UUID id and a 30-minute timeout', async () => {
    const reply = await admin().command({ startSession: 1 });
    expect(reply.id.id.sub_type).toBe(4);
    expect(reply.timeoutMinutes).toBe(30);
  });

  it('runs commands in a driver session and ends it', async () => {
    const session = client.startSession();
    await expect(admin().command({ ping: 1 }, { session })).resolves.toEqual({ ok: 1 });
    await session.endSession();
  });

  it('refuses transactions with code 20 as a standalone does', async () => {
    const session = client.startSession();
    session.startTransaction();
    const err: MongoServerError = await admin().command({ ping: 1 }, { session }).catch((e) => e);
    expect(err).toMatchObject({ code: 20, codeName: 'IllegalOperation' });
    expect(err.message).toBe('Transaction numbers are only allowed on a replica set member or mongos');
    await session.abortTransaction().catch(() => undefined);
    await session.endSession();
    await expect(admin().command({ commitTransaction: 1 })).rejects.toMatchObject({ code: 20 });
  });
});

describe('raw messages', () => {
  let raw: RawClient;
  beforeEach(async () => {
    raw = await rawClient(port);
  });
  afterEach(() => raw.socket.destroy());

  it('merges a kind-1 document sequence into the body and checksums the reply to a checksummed request', async () => {
    const request = msg({ wireEcho: 1 }, { sequences: { documents: [{ a: 1 }, { b: 'two' }] }, checksum: true });
    raw.send(request);
    const frame = await raw.next();
    const reply = readReply(frame);
    expect(reply.responseTo).toBe(requestIdOf(request));
    expect(reply.flags).toBe(1);
    expect(frame!.readUInt32LE(frame!.length - 4)).toBe(crc32c(frame!, 0, frame!.length - 4));
    expect(reply.body).toEqual({ fields: ['wireEcho', '$db', 'documents'], documents: [{ a: 1 }, { b: 'two' }], ok: 1 });
  });

  it('keeps BSON types as sent when it hands a command to its handler', async () => {
    raw.send(msg({ wireEcho: 1, n: new BSON.Double(1), big: BSON.Long.fromNumber(5) }));
    await raw.next();
    const cmd = echoed[echoed.length - 1];
    expect(cmd.n).toBeInstanceOf(BSON.Double);
    expect(cmd.big).toBeInstanceOf(BSON.Long);
  });

  it('runs a moreToCome message without replying to it', async () => {
    const before = echoed.length;
    const ping = msg({ ping: 1 });
    raw.send(msg({ wireEcho: 1 }, { flags: 2 }), ping);
    expect(readReply(await raw.next()).responseTo).toBe(requestIdOf(ping));
    expect(echoed.length).toBe(before + 1);
  });

  it('answers the legacy OP_QUERY handshake with one OP_REPLY document', async () => {
    const query = opQuery('admin.$cmd', { ismaster: 1, helloOk: true, client: { driver: { name: 'raw' } } });
    raw.send(query);
    const frame = await raw.next();
    const reply = readReply(frame);
    expect(reply.opCode).toBe(1);
    expect(reply.responseTo).toBe(requestIdOf(query));
    expect(frame!.readInt32LE(32)).toBe(1);
    expect(reply.body).toMatchObject({ ismaster: true, helloOk: true, maxWireVersion: 25, ok: 1 });
  });

  it('refuses other commands over OP_QUERY with code 352', async () => {
    raw.send(opQuery('admin.$cmd', { ping: 1 }));
    expect(readReply(await raw.next()).body).toMatchObject({ ok: 0, code: 352 });
  });

  it('answers pipelined commands in request order even when later ones finish first', async () => {
    const requests = [60, 40, 20, 0].map((ms) => msg({ wireSleep: ms }));
    raw.send(...requests);
    for (const request of requests) expect(readReply(await raw.next()).responseTo).toBe(requestIdOf(request));
  });

  it('fails a command without $db with code 40571', async () => {
    raw.send(encodeMsg({ body: { ping: 1 } }, { requestId: 7, responseTo: 0 }));
    expect(readReply(await raw.next()).body).toMatchObject({ ok: 0, code: 40571 });
  });

  it('refuses a transaction number before dispatch with code 20', async () => {
    raw.send(msg({ ping: 1, txnNumber: BSON.Long.fromNumber(1), autocommit: false, startTransaction: true }));
    expect(readReply(await raw.next()).body).toMatchObject({ ok: 0, code: 20, codeName: 'IllegalOperation' });
  });

  it('fails a write whose document exceeds 16 MB with code 10334 and keeps the connection', async () => {
    const huge = { _id: 1, pad: 'x'.repeat(16 * 1024 * 1024) };
    raw.send(msg({ wireEcho: 'c' }, { sequences: { documents: [huge] } }));
    expect(readReply(await raw.next()).body).toMatchObject({ ok: 0, code: 10334, codeName: 'BSONObjectTooLarge' });
    raw.send(msg({ ping: 1 }));
    expect(readReply(await raw.next()).body).toEqual({ ok: 1 });
  });

  it('fails a command nested deeper than 200 levels with code 15 and keeps the connection', async () => {
    let deep: Document = {};
    for (let i = 0; i < 250; i++) deep = { a: deep };
    raw.send(msg({ ping: 1, deep }));
    expect(readReply(await raw.next()).body).toMatchObject({ ok: 0, code: 15 });
    raw.send(msg({ ping: 1 }));
    expect(readReply(await raw.next()).body).toEqual({ ok: 1 });
  });

  const corrupt: [string, () => Buffer][] = [
    ['a bad checksum', () => {
      const m = msg({ ping: 1 }, { checksum: true });
      m[m.length - 1] ^= 0xff;
      return m;
    }],
    ['a length over 48 MB', () => Buffer.from([0x01, 0x6c, 0xdc, 0x02])], // 48000001, sent alone
    ['a negative length', () => Buffer.from([0xff, 0xff, 0xff, 0xff])],
    ['OP_COMPRESSED', () => withOpCode(msg({ ping: 1 }), 2012)],
    ['an unknown opcode', () => withOpCode(msg({ ping: 1 }), 2002)],
    ['an unknown section kind', () => {
      const m = msg({ ping: 1 });
      m[20] = 2;
      return m;
    }],
    ['truncated BSON with an honest frame length', () => {
      const m = msg({ ping: 1 });
      const cut = Buffer.from(m.subarray(0, m.length - 3));
      cut.writeInt32LE(cut.length, 0);
      return cut;
    }],
    ['invalid UTF-8 in BSON', () => {
      const m = msg({ ping: 'é' });
      m[m.indexOf(0xc3, 21)] = 0xff;
      return m;
    }],
    ['unknown required flag bits', () => msg({ ping: 1 }, { flags: 4 })],
  ];
  const admin = () => client.db('admin');

  it.each(corrupt)('closes only the connection that sent %s, with one error log line', async (_name, build) => {
    const bystander = await rawClient(port);
    const logsBefore = logs.length;
    raw.send(build());
    await expect(raw.next()).resolves.toBeNull();
    const errors = logs.slice(logsBefore).filter((line) => line.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ conn: expect.any(Number), err: expect.any(String) });
    bystander.send(msg({ ping: 1 }));
    expect(readReply(await bystander.next()).body).toEqual({ ok: 1 });
    bystander.socket.destroy();
    await expect(admin().command({ ping: 1 })).resolves.toEqual({ ok: 1 });
  });
});

describe('the server', () => {
  it('destroys open connections on close and resolves', async () => {
    const own = await startServer();
    const raw = await rawClient(own.port);
    await own.server.close();
    await expect(raw.next()).resolves.toBeNull();
    expect(own.logs.some((line) => line.level === 40)).toBe(false);
  });

  it('treats only loopback hosts as loopback', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', 'localhost']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.0.2.1', 'example.org']) expect(isLoopbackHost(host)).toBe(false);
  });

  it('computes CRC-32C, not CRC-32', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });
});

function withOpCode(message: Buffer, opCode: number): Buffer {
  message.writeInt32LE(opCode, 12);
  return message;
}
