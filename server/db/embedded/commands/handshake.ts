/**
 * Handshake, diagnostic and session commands: what drivers, Mongoose and shells ask a
 * server about itself. The engine is a single-node standalone without authentication,
 * so sessions are accepted and forgotten, and transactions fail as on a real standalone.
 */
import os from 'node:os';
import { Long, UUID, type Document } from 'bson';
import { fail } from '../errors';
import { Limits } from '../wire/protocol';
import { listCommandNames, registerCommands, type CommandContext, type ConnectionInfo } from './registry';
import { metrics } from '../engine/metrics';

/** What the server that accepted a connection knows about itself, for serverStatus and friends. */
export interface ServerStats {
  readonly startedAt: Date;
  readonly host: string;
  port: number;
  currentConnections: number;
  totalConnections: number;
}

const statsByConnection = new WeakMap<ConnectionInfo, ServerStats>();

/** Called by the server for each connection it accepts. */
export function attachServerStats(connection: ConnectionInfo, stats: ServerStats): void {
  statsByConnection.set(connection, stats);
}

// MongoDB 8.0, the first with the bulkWrite command across collections (commands/bulk-write.ts).
const VERSION = '8.0.0';
const VERSION_ARRAY = [8, 0, 0, 0];
const MAX_WIRE_VERSION = 25;
const SESSION_TIMEOUT_MINUTES = 30;
/** mongod's default net.maxIncomingConnections. */
const CONNECTION_CAPACITY = 1_000_000;
const MB = 1024 * 1024;
const STANDALONE_TXN = 'Transaction numbers are only allowed on a replica set member or mongos';
const ADMIN_ONLY = new Set(['getCmdLineOpts', 'getLog', 'getParameter']);
const LOG_NAMES = ['global', 'startupWarnings'];

/** The parameters getParameter knows, with the values this engine actually behaves by. */
const PARAMETERS: Record<string, () => unknown> = {
  featureCompatibilityVersion: () => ({ version: '8.0' }),
  authenticationMechanisms: () => [],
  cursorTimeoutMillis: () => Long.fromNumber(600_000),
  localLogicalSessionTimeoutMinutes: () => SESSION_TIMEOUT_MINUTES,
  logLevel: () => 0,
  maxBSONDepth: () => Limits.maxBsonDepth,
  notablescan: () => false,
  quiet: () => false,
  transactionLifetimeLimitSeconds: () => 60,
};
/** Fields any command may carry that are not parameter names. */
const GENERIC_FIELDS = new Set([
  'getParameter', 'comment', 'lsid', 'txnNumber', 'autocommit', 'maxTimeMS', 'readConcern', 'writeConcern',
  'apiVersion', 'apiStrict', 'apiDeprecationErrors',
]);

function requireAdmin(name: string, ctx: CommandContext): void {
  if (ctx.db !== 'admin') throw fail('Unauthorized', `${name} may only be run against the admin database.`);
}

/** hello and legacy isMaster answer alike except for the name of the "writable primary" flag. */
function hello(primaryField: 'isWritablePrimary' | 'ismaster') {
  return (cmd: Document, ctx: CommandContext): Document => ({
    ...(cmd.helloOk === true ? { helloOk: true } : {}),
    [primaryField]: true,
    maxBsonObjectSize: Limits.maxBsonObjectSize,
    maxMessageSizeBytes: Limits.maxMessageSizeBytes,
    maxWriteBatchSize: Limits.maxWriteBatchSize,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: SESSION_TIMEOUT_MINUTES,
    connectionId: ctx.connection.id,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
  });
}

function buildInfo(): Document {
  return {
    version: VERSION,
    gitVersion: 'retour-embedded',
    versionArray: VERSION_ARRAY,
    modules: [],
    allocator: 'system',
    javascriptEngine: 'none',
    sysInfo: 'deprecated',
    bits: 64,
    debug: false,
    maxBsonObjectSize: Limits.maxBsonObjectSize,
    storageEngines: ['retour-embedded'],
    openssl: { running: 'disabled', compiled: 'disabled' },
  };
}

function serverStatus(_cmd: Document, ctx: CommandContext): Document {
  const stats = statsByConnection.get(ctx.connection);
  const now = new Date();
  const uptimeMillis = stats ? now.getTime() - stats.startedAt.getTime() : Math.round(process.uptime() * 1000);
  const memory = process.memoryUsage();
  const current = stats?.currentConnections ?? 1;
  return {
    host: stats ? `${os.hostname()}:${stats.port}` : os.hostname(),
    version: VERSION,
    process: 'mongod',
    pid: Long.fromNumber(process.pid),
    uptime: Math.floor(uptimeMillis / 1000),
    uptimeMillis: Long.fromNumber(uptimeMillis),
    uptimeEstimate: Long.fromNumber(Math.floor(uptimeMillis / 1000)),
    localTime: now,
    connections: { current, available: CONNECTION_CAPACITY - current, totalCreated: stats?.totalConnections ?? current },
    // Node exposes no virtual size; the V8 heap plus off-heap buffers is the nearest figure it has.
    mem: {
      bits: 64,
      resident: Math.round(memory.rss / MB),
      virtual: Math.round(Math.max(memory.rss, memory.heapTotal + memory.external) / MB),
      supported: true,
    },
    storageEngine: { name: 'retour-embedded', supportsCommittedReads: false, persistent: true },
    metrics: structuredClone(metrics),
  };
}

function hostInfo(): Document {
  const arch: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'x86' };
  return {
    system: {
      currentTime: new Date(),
      hostname: os.hostname(),
      cpuAddrSize: 64,
      memSizeMB: Math.round(os.totalmem() / MB),
      numCores: os.cpus().length,
      cpuArch: arch[process.arch] ?? process.arch,
      numaEnabled: false,
    },
    os: { type: os.type(), name: `${os.type()} ${os.release()}`, version: os.release() },
    extra: { versionString: os.version() },
  };
}

function getParameter(cmd: Document, ctx: CommandContext): Document {
  requireAdmin('getParameter', ctx);
  const spec: unknown = cmd.getParameter;
  const options = spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Document) : {};
  const all = spec === '*' || options.allParameters === true;
  const names = all ? Object.keys(PARAMETERS) : Object.keys(cmd).filter((k) => !k.startsWith('$') && !GENERIC_FIELDS.has(k));
  if (names.length === 0 || names.some((name) => !Object.hasOwn(PARAMETERS, name))) {
    throw fail('InvalidOptions', 'no option found to get');
  }
  const reply: Document = {};
  for (const name of names) {
    const value = PARAMETERS[name]();
    reply[name] = options.showDetails === true ? { value, settableAtRuntime: false, settableAtStartup: false } : value;
  }
  return reply;
}

function getLog(cmd: Document, ctx: CommandContext): Document {
  requireAdmin('getLog', ctx);
  const name: unknown = cmd.getLog;
  if (typeof name !== 'string') throw fail('TypeMismatch', 'Argument to getLog must be of type String');
  if (name === '*') return { names: LOG_NAMES };
  if (!LOG_NAMES.includes(name)) throw fail('BadValue', `No log named '${name}'`);
  // The engine's own log goes to pino; it keeps no in-memory copy to return here.
  return { totalLinesWritten: 0, log: [] };
}

function getCmdLineOpts(_cmd: Document, ctx: CommandContext): Document {
  requireAdmin('getCmdLineOpts', ctx);
  const stats = statsByConnection.get(ctx.connection);
  const net = { bindIp: stats?.host ?? '127.0.0.1', port: stats?.port ?? ctx.connection.localPort };
  return { argv: ['retour-embedded', '--bind_ip', net.bindIp, '--port', String(net.port)], parsed: { net } };
}

function listCommands(): Document {
  const commands: [string, Document][] = listCommandNames().map((name) => [
    name,
    { help: '', requiresAuth: false, secondaryOk: true, adminOnly: ADMIN_ONLY.has(name), apiVersions: [], deprecatedApiVersions: [] },
  ]);
  return { commands: Object.fromEntries(commands) };
}

function whatsmyuri(_cmd: Document, ctx: CommandContext): Document {
  const { remoteAddress, remotePort } = ctx.connection;
  return { you: remoteAddress.includes(':') ? `[${remoteAddress}]:${remotePort}` : `${remoteAddress}:${remotePort}` };
}

function connectionStatus(cmd: Document): Document {
  const authInfo: Document = { authenticatedUsers: [], authenticatedUserRoles: [] };
  if (cmd.showPrivileges === true) authInfo.authenticatedUserPrivileges = [];
  return { authInfo };
}

/** The reply a standalone gives any command that carries a transaction number, before running it. */
export function standaloneTransactionError(cmd: Document): Document | undefined {
  return cmd.txnNumber === undefined ? undefined : fail('IllegalOperation', STANDALONE_TXN).toReply();
}

/** Sessions carry no server state here (no transactions, cursors are not tied to them). */
const acceptSessions = (): Document => ({});

registerCommands({
  hello: hello('isWritablePrimary'),
  isMaster: hello('ismaster'),
  ping: () => ({}),
  buildInfo,
  serverStatus,
  hostInfo,
  getParameter,
  getLog,
  getCmdLineOpts,
  listCommands,
  whatsmyuri,
  connectionStatus,
  startSession: () => ({ id: { id: new UUID() }, timeoutMinutes: SESSION_TIMEOUT_MINUTES }),
  endSessions: acceptSessions,
  refreshSessions: acceptSessions,
  killSessions: acceptSessions,
  killAllSessions: acceptSessions,
  killAllSessionsByPattern: acceptSessions,
  commitTransaction: () => {
    throw fail('IllegalOperation', STANDALONE_TXN);
  },
  abortTransaction: () => {
    throw fail('IllegalOperation', STANDALONE_TXN);
  },
});
