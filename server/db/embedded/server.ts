/**
 * The TCP side of the embedded engine: accepts sockets and runs one Connection per socket
 * (frames in, commands through the registry, replies out in request order), and keeps the
 * connection counts serverStatus reports. Message formats live in wire/; the handshake
 * commands come with this module, since a server that cannot answer hello is unusable.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Document } from 'bson';
import type { Logger } from 'pino';
import type { Engine } from './engine/engine';
import { runCommand, type ConnectionInfo } from './commands/registry';
import { MongoServerError } from './errors';
import { attachServerStats, standaloneTransactionError, type ServerStats } from './commands/handshake';
import { decodeMessage, type WireRequest } from './wire/decode';
import { encodeMsg, encodeOpReply } from './wire/encode';
import { FrameReader } from './wire/framing';
import { OP_QUERY, ProtocolError } from './wire/protocol';

export type { ServerStats } from './commands/handshake';

export interface WireServerOptions {
  engine: Engine;
  host: string;
  /** 0 picks a free port; listen() resolves with the one chosen. */
  port: number;
  logger: Logger;
}

export interface WireServer {
  /** Starts accepting connections; resolves with the port actually bound. */
  listen(): Promise<number>;
  /** Stops accepting, destroys open connections and resolves once the listener is closed. */
  close(): Promise<void>;
}

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const family = net.isIP(host);
  return family !== 0 && loopback.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/** Commands that MongoDB 7.0 still accepts over legacy OP_QUERY. */
const OP_QUERY_COMMANDS = new Set(['hello', 'ismaster']);
/** Above this many unanswered messages a connection stops reading until it catches up. */
const MAX_QUEUED = 64;
const QUIET_SOCKET_ERRORS = new Set(['ECONNRESET', 'EPIPE']);

export function createWireServer(options: WireServerOptions): WireServer {
  const { engine, host, logger } = options;
  const stats: ServerStats = { startedAt: new Date(), host, port: options.port, currentConnections: 0, totalConnections: 0 };
  const sockets = new Set<net.Socket>();
  let lastConnectionId = 0;
  let lastRequestId = 0;
  const nextRequestId = () => (lastRequestId = (lastRequestId % 0x7fffffff) + 1);

  const server = net.createServer({ noDelay: true }, (socket) => {
    const info: ConnectionInfo = {
      id: ++lastConnectionId,
      remoteAddress: (socket.remoteAddress ?? '').replace(/^::ffff:(?=\d+\.)/, ''),
      remotePort: socket.remotePort ?? 0,
      localPort: socket.localPort ?? 0,
    };
    attachServerStats(info, stats);
    sockets.add(socket);
    stats.currentConnections++;
    stats.totalConnections++;
    socket.on('close', () => {
      sockets.delete(socket);
      stats.currentConnections--;
    });
    new Connection(socket, info, { engine, logger, nextRequestId });
  });
  server.on('error', (err) => {
    // Errors while starting reject listen(); its caller reports them.
    if (server.listening) logger.error({ err: err.message }, 'embedded engine listener error');
  });

  return {
    listen: () =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, host, () => {
          server.off('error', reject);
          stats.port = (server.address() as AddressInfo).port;
          if (!isLoopbackHost(host)) {
            logger.warn({ host, port: stats.port }, 'embedded engine listens beyond loopback but has no authentication: anyone who can reach this port can read and change all data');
          }
          logger.info({ host, port: stats.port }, 'embedded engine listening');
          resolve(stats.port);
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

interface ConnectionDeps {
  engine: Engine;
  logger: Logger;
  nextRequestId: () => number;
}

/** One client socket. Messages are answered strictly one after another, in arrival order. */
class Connection {
  private readonly reader = new FrameReader();
  private readonly queue: Buffer[] = [];
  private running = false;
  private paused = false;
  private closed = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly info: ConnectionInfo,
    private readonly deps: ConnectionDeps,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const level = QUIET_SOCKET_ERRORS.has(err.code ?? '') ? 'debug' : 'error';
      deps.logger[level]({ conn: info.id, err: err.message }, 'connection error');
    });
    socket.on('close', () => {
      this.closed = true;
    });
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    try {
      for (const frame of this.reader.push(chunk)) this.queue.push(frame);
    } catch (err) {
      this.abort(err);
      return;
    }
    if (this.queue.length >= MAX_QUEUED && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const frame = this.queue.shift() as Buffer;
        if (this.paused && this.queue.length < MAX_QUEUED / 2) {
          this.paused = false;
          this.socket.resume();
        }
        const reply = await this.answer(frame);
        if (reply && !this.closed && this.socket.writable && !this.socket.write(reply)) await this.writable();
      }
    } catch (err) {
      this.abort(err);
    } finally {
      this.running = false;
    }
  }

  /** The encoded reply to one message, or null when the client asked for none (moreToCome). */
  private async answer(frame: Buffer): Promise<Buffer | null> {
    const request = decodeMessage(frame);
    const body = request.rejection ?? (await this.execute(request));
    if (request.opCode !== OP_QUERY && request.moreToCome) return null;
    const encode = (doc: Document): Buffer => {
      const ids = { requestId: this.deps.nextRequestId(), responseTo: request.header.requestId };
      return request.opCode === OP_QUERY ? encodeOpReply(doc, ids) : encodeMsg({ body: doc, checksum: request.checksumPresent }, ids);
    };
    try {
      return encode(body);
    } catch (err) {
      const reason = err instanceof RangeError ? 'BSONObjectTooLarge' : 'InternalError';
      return encode(new MongoServerError(reason, `cannot encode the reply: ${(err as Error).message}`).toReply());
    }
  }

  /** Applies what a MongoDB standalone checks before any command runs, then runs it. */
  private async execute(request: WireRequest): Promise<Document> {
    const { command } = request;
    let db: unknown = command.$db;
    if (request.opCode === OP_QUERY) {
      const name = Object.keys(command)[0] ?? '';
      const isCommand = request.namespace.endsWith('.$cmd');
      if (!isCommand || !OP_QUERY_COMMANDS.has(name.toLowerCase())) return unsupportedOpQuery(isCommand ? name : 'find');
      db = request.namespace.slice(0, -'.$cmd'.length);
    } else if (typeof db !== 'string' || db === '') {
      return { ok: 0, errmsg: 'OP_MSG requests require a $db argument', code: 40571, codeName: 'Location40571' };
    }
    const refusal = standaloneTransactionError(command);
    if (refusal) return refusal;
    return runCommand(command, { engine: this.deps.engine, db: db as string, connection: this.info });
  }

  private writable(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Closes this connection only, with one log line saying why. */
  private abort(err: unknown): void {
    if (this.closed) return;
    this.closed = true;
    const message = err instanceof Error ? err.message : String(err);
    const what = err instanceof ProtocolError ? 'closing connection after a malformed message' : 'closing connection after an internal error';
    this.deps.logger.error({ conn: this.info.id, err: message }, what);
    this.socket.destroy();
  }
}

function unsupportedOpQuery(name: string): Document {
  return {
    ok: 0,
    errmsg: `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade.`,
    code: 352,
    codeName: 'UnsupportedOpQueryCommand',
  };
}
