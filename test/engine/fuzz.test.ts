/**
 * A bounded, seeded fuzzer for the embedded engine's wire layer: a few hundred hostile or
 * broken messages over many loopback sockets, after each batch of which a healthy driver
 * client and a long-lived raw socket must still be answered. Same seed, same messages.
 */
import net from 'node:net';
import { BSON, type Document } from 'bson';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { createWireServer, type WireServer } from '../../server/db/embedded/server';
import { encodeMsg } from '../../server/db/embedded/wire/encode';
import { FrameReader } from '../../server/db/embedded/wire/framing';
import { engineStub } from '../helpers/engine';
import { seeded as prng } from '../helpers/random';

const SEED = 0x5eed2026;
const BATCHES = 10;
const MESSAGES_PER_BATCH = 40;
/** How long a fuzz socket may stay silent before the fuzzer gives up on it. */
const IDLE_MS = 150;

const random = prng(SEED);
const int = (max: number) => Math.floor(random() * max);
const pick = <T>(items: readonly T[]): T => items[int(items.length)];
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));

let requestId = 1;
const valid = (body: Document, extra: { sequences?: Record<string, Document[]>; flags?: number; checksum?: boolean } = {}) =>
  encodeMsg({ body: { ...body, $db: 'admin' }, ...extra }, { requestId: requestId++, responseTo: 0 });

function validSample(): Buffer {
  return pick([
    () => valid({ ping: 1 }),
    () => valid({ hello: 1, helloOk: true }, { checksum: random() < 0.5 }),
    () => valid({ insert: 'c' }, { sequences: { documents: [{ a: 1 }, { b: 'x'.repeat(int(100)) }] } }),
    () => valid({ buildInfo: 1, lsid: { id: new BSON.Binary(bytes(16), 4) } }),
  ])();
}

/** A document nested `depth` levels deep, written directly so no serializer recursion is involved. */
function nested(depth: number): Buffer {
  const out = Buffer.alloc(8 * depth + 5);
  for (let i = 0; i < depth; i++) {
    out.writeInt32LE(8 * (depth - i) + 5, 7 * i);
    out.write('\u0003a\u0000', 7 * i + 4, 'latin1');
  }
  out.writeInt32LE(5, 7 * depth);
  return out;
}

function deeplyNested(): Buffer {
  const head = Buffer.from(BSON.serialize({ ping: 1, $db: 'admin' }));
  const element = Buffer.concat([Buffer.from('\u0003deep\u0000', 'latin1'), nested(pick([150, 201, 1000, 30000]))]);
  const body = Buffer.concat([head.subarray(0, head.length - 1), element, Buffer.from([0])]);
  body.writeInt32LE(body.length, 0);
  const message = Buffer.concat([Buffer.alloc(21), body]);
  message.writeInt32LE(message.length, 0);
  message.writeInt32LE(requestId++, 4);
  message.writeInt32LE(2013, 12);
  return message;
}

function lyingLength(): Buffer {
  const m = validSample();
  const where = pick(['header', 'body', 'sequence'] as const);
  const lie = pick([0, 1, 4, 15, 16, -1, 0x7fffffff, 48_000_001, m.length - 1 - int(8), m.length + 1 + int(64)]);
  const sequenceAt = 21 + m.readInt32LE(21) + 1;
  if (where === 'body') m.writeInt32LE(lie, 21);
  else if (where === 'sequence' && sequenceAt + 4 <= m.length) m.writeInt32LE(lie, sequenceAt);
  else m.writeInt32LE(lie, 0);
  return m;
}

function mutated(): Buffer {
  const m = validSample();
  for (let i = 1 + int(8); i > 0; i--) m[16 + int(m.length - 16)] = int(256);
  return m;
}

function truncated(): Buffer {
  const m = validSample();
  const cut = Buffer.from(m.subarray(0, int(m.length)));
  if (cut.length >= 4 && random() < 0.5) cut.writeInt32LE(cut.length, 0);
  return cut;
}

function randomJunk(): Buffer {
  if (random() < 0.5) return bytes(int(300));
  const m = Buffer.concat([Buffer.alloc(16), bytes(int(200))]);
  m.writeInt32LE(m.length, 0);
  m.writeInt32LE(pick([1, 2004, 2012, 2013, 2013, int(5000)]), 12);
  return m;
}

const GENERATORS = [randomJunk, truncated, mutated, lyingLength, deeplyNested, validSample];

type Outcome = 'closed' | 'answered' | 'silent';

interface Case {
  payload: Buffer;
  /** Sizes of the writes that carry it, so partial frames arrive as separate reads too. */
  pieces: number[];
}

function makeCase(): Case {
  const made = pick(GENERATORS)();
  const payload = random() < 0.2 ? Buffer.concat([validSample(), made]) : made;
  const pieces: number[] = [];
  for (let left = payload.length; left > 0; ) {
    const size = random() < 0.7 ? left : Math.min(left, 1 + int(64));
    pieces.push(size);
    left -= size;
  }
  return { payload, pieces };
}

/** Sends one case on its own socket and reports what the server did with it. */
function fuzzOne(port: number, { payload, pieces }: Case): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let outcome: Outcome = 'silent';
    let idle: NodeJS.Timeout;
    const finish = () => {
      clearTimeout(idle);
      socket.destroy();
      resolve(outcome);
    };
    const rearm = () => {
      clearTimeout(idle);
      idle = setTimeout(finish, IDLE_MS);
    };
    socket.on('error', () => undefined);
    socket.on('data', () => {
      outcome = 'answered';
      rearm();
    });
    socket.on('close', () => {
      if (outcome === 'silent') outcome = 'closed';
      finish();
    });
    socket.on('connect', () => {
      let at = 0;
      for (const size of pieces) socket.write(payload.subarray(at, (at += size)));
      rearm();
    });
  });
}

function rawPing(socket: net.Socket, reader: FrameReader): Promise<Document> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error('long-lived socket was closed'));
    const onData = (chunk: Buffer) => {
      const [frame] = reader.push(chunk);
      if (!frame) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(BSON.deserialize(frame.subarray(21)));
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(valid({ ping: 1 }));
  });
}

describe('the wire layer under fuzzing', () => {
  let server: WireServer;
  let client: MongoClient;
  let port: number;
  const errorLinesByConnection = new Map<number, number>();

  beforeAll(async () => {
    const logger = pino({ level: 'error' }, {
      write: (line: string) => {
        const { conn } = JSON.parse(line) as { conn?: number };
        if (conn !== undefined) errorLinesByConnection.set(conn, (errorLinesByConnection.get(conn) ?? 0) + 1);
      },
    });
    server = createWireServer({ engine: engineStub(), host: '127.0.0.1', port: 0, logger });
    port = await server.listen();
    client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, { serverSelectionTimeoutMS: 3000 });
    await client.connect();
  });

  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('keeps answering healthy clients after every batch of hostile messages', async () => {
    const longLived = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => longLived.once('connect', resolve));
    const reader = new FrameReader();
    const outcomes: Record<Outcome, number> = { closed: 0, answered: 0, silent: 0 };

    for (let batch = 0; batch < BATCHES; batch++) {
      const cases = Array.from({ length: MESSAGES_PER_BATCH }, makeCase);
      const results = await Promise.all(cases.map((c) => fuzzOne(port, c)));
      for (const result of results) outcomes[result]++;

      await expect(client.db('admin').command({ ping: 1 })).resolves.toEqual({ ok: 1 });
      await expect(rawPing(longLived, reader)).resolves.toEqual({ ok: 1 });
    }

    longLived.destroy();
    expect(outcomes.closed + outcomes.answered + outcomes.silent).toBe(BATCHES * MESSAGES_PER_BATCH);
    // The mix must actually exercise both paths: connections closed for bad input, and replies.
    expect(outcomes.closed).toBeGreaterThan(50);
    expect(outcomes.answered).toBeGreaterThan(20);
    for (const lines of errorLinesByConnection.values()) expect(lines).toBe(1);
  });
});
