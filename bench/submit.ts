/**
 * Submit benchmark: completed JSON submissions per second through POST /s/:token (the
 * whole app: headers, logging, rate limits, token lookup among 1,000,000 invitations,
 * validation, the response written, the rollup update, the invitation marked answered),
 * each a different invitation with a full valid answer set, under 50 concurrent customers;
 * against a bare Express handler (the same express.json parsing, writes nothing, answers
 * 200) in the same run. Customers come from distinct addresses, as they would through the
 * app's reverse proxy. Reported: submissions/s, p50 and p99 latency, ratio (goal ≥ 0.5); and,
 * for reference, the app's shared middleware alone (headers, request log, locale, body
 * parsing, the survey's rate limits) answering at the survey route without the database,
 * and how busy this process's event loop was in each (short of 100%: waiting for the database).
 *
 *   npm run bench -- submit   (BENCH_DB_INVITATIONS=1000000, BENCH_SUBMITS=2000 per round, BENCH_ROUNDS=9)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import express, { Router } from 'express';
import { Types } from 'mongoose';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { connect } from '../server/db';
import { prepareFeatures } from '../server/features';
import { sendJsonAnswer } from '../server/http/json-answer';
import { FORM_LIMIT } from '../server/http/security';
import { Invitation } from '../server/invitations/model';
import { hashToken, newTokens } from '../server/invitations/tokens';
import { createLogger } from '../server/logger';
import { ResponseModel } from '../server/responses';
import { DailyRollup } from '../server/rollups';
import { createSite } from '../server/sites';
import { speakCustomerLanguage } from '../server/survey/handlers';
import { answerLimits } from '../server/survey/limits';
import { send } from './http';
import { getPublished } from '../server/templates';
import { figure, type SuiteResult } from './results';

const CONCURRENCY = 50;
const SEED_BATCH = 10_000;
// Both servers answer this many submits before the rounds, so that the rounds measure the
// steady state of a running server: after the million-document seed, the engine's first
// major collections and the JIT of both processes take a few thousand submits to settle
// (median ratios, runs within minutes of each other: after 300 warm-up submits 0.357, after
// 2,000 0.367, after 8,000 0.443, 0.396, 0.376; the first rounds after 300 ran ~30% slower).
const WARM_UP = 8000;
const DAY_MS = 86_400_000;

/** Invitation documents as the service stores them; one in `step` gets a token we keep, sent with the published version. */
async function seedInvitations(total: number, keep: number, versionId: string): Promise<string[]> {
  await Invitation.init();
  const step = Math.max(1, Math.floor(total / keep));
  const tokens: string[] = [];
  const now = Date.now();
  for (let from = 0; from < total; from += SEED_BATCH) {
    const size = Math.min(SEED_BATCH, total - from);
    const random = randomBytes(32 * size);
    const kept = newTokens(size);
    const docs = Array.from({ length: size }, (_, k) => {
      const i = from + k;
      const real = i % step === 0 && tokens.length < keep;
      if (real) tokens.push(kept[k] as string);
      const endedAt = new Date(now - (i % 30) * DAY_MS - 3_600_000);
      const sent = real || i % 3 !== 0;
      return {
        _id: new Types.ObjectId(),
        tokenHashes: [real ? hashToken(kept[k] as string) : random.subarray(32 * k, 32 * (k + 1)).toString('hex')],
        callId: `bench-call-${i}`,
        externalId: `pbx-${i}`,
        site: 'ABV',
        queue: `queue-${i % 4}`,
        agent: `agent.${i % 200}`,
        reason: ['billing', 'contract', 'outage', 'moving'][i % 4],
        callEndedAt: endedAt,
        day: endedAt.toISOString().slice(0, 10),
        customer: { email: `customer.${i}@example.fr`, name: `Client ${i}`, locale: i % 7 === 0 ? 'en' : 'fr' },
        templateKey: 'post-call',
        templateVersionId: sent ? versionId : null,
        state: sent ? 'sent' : 'scheduled',
        sendAt: new Date(endedAt.getTime() + 1_800_000),
        attempts: sent ? 1 : 0,
        nextAttemptAt: sent ? null : new Date(endedAt.getTime() + 1_800_000),
        lease: null,
        lastError: null,
        sentAt: sent ? new Date(endedAt.getTime() + 1_800_000) : null,
        reminderAt: null,
        reminderAttempts: 0,
        reminderSentAt: null,
        expiresAt: new Date(now + 7 * DAY_MS),
        unsubscribedAt: null,
        openedAt: null,
        answeredAt: null,
        createdAt: endedAt,
        updatedAt: endedAt,
        __v: 0,
      };
    });
    await Invitation.collection.insertMany(docs, { ordered: false });
  }
  return tokens;
}

/** A full valid answer set, varied per customer; serialised before the clock starts. */
function answerBody(i: number): string {
  const info = i % 3 === 0 ? 'no' : 'yes';
  const answers: Record<string, unknown> = { info, csat: 1 + (i % 5), nps: i % 11, comment: i % 4 === 0 ? `Merci, appel ${i}.` : '' };
  if (info === 'no') answers.missing = 'Les horaires d’ouverture';
  return JSON.stringify({ answers });
}

interface Round {
  seconds: number;
  latencies: number[];
  /** CPU of this process (server and client) and of the embedded engine's process, per submission. */
  cpuMs: { here: number; engine: number };
  /** The share of the round this process's event loop was busy (1: it never waited). */
  busy: number;
}

/** CPU milliseconds used so far by this process's children (the embedded engine), from /proc; 0 where there is none. */
function childrenCpuMs(): number {
  let ticks = 0;
  try {
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      if (Number(stat[1]) === process.pid) ticks += Number(stat[11]) + Number(stat[12]);
    }
  } catch {
    return 0;
  }
  return ticks * 10;
}

/** 50 customers at once, each taking the next invitation until none is left. */
async function drive(base: string, tokens: string[], bodies: string[], offset: number): Promise<Round> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const engineCpu = childrenCpuMs();
  const loop = performance.eventLoopUtilization();
  const start = performance.now();
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < tokens.length) {
          const i = next++;
          const n = offset + i;
          const sent = performance.now();
          const client = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
          const res = await send(agent, `${base}/s/${tokens[i]}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': client }, body: bodies[i] as string });
          latencies.push(performance.now() - sent);
          if (res.status !== 200 || !res.text.includes('"complete":true')) throw new Error(`POST /s/… answered ${res.status}: ${res.text.slice(0, 300)}`);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - start) / 1000;
  const busy = performance.eventLoopUtilization(loop).utilization;
  const used = process.cpuUsage(cpu);
  const per = (ms: number) => ms / tokens.length;
  return { seconds, latencies, cpuMs: { here: per((used.user + used.system) / 1000), engine: per(childrenCpuMs() - engineCpu) }, busy };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

function listen(app: express.Express): Promise<{ server: Server; base: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

export async function runSubmitBench(invitations = 1_000_000, perRound = 2000, rounds = Number(process.env.BENCH_ROUNDS ?? 9)): Promise<SuiteResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'retour-bench-submit-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', TRUST_PROXY: 'loopback' });
  const logger = createLogger(config);
  const database = await connect(config, logger);
  const servers: Server[] = [];
  try {
    await prepareFeatures({ config, logger });
    await createSite('ABV', { name: 'Abbeville', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' }, { type: 'system' });
    const version = await getPublished('post-call');
    const needed = WARM_UP + rounds * perRound;
    const seedStart = performance.now();
    const tokens = await seedInvitations(invitations, needed, version.id);
    process.stdout.write(`${invitations.toLocaleString('en')} invitations stored in ${((performance.now() - seedStart) / 1000).toFixed(1)} s (${tokens.length} with tokens kept)\n`);

    const app = await listen(createApp({ config, logger, health: () => ({ status: 'ok', db: 'embedded' }) }));
    const bareApp = express();
    bareApp.use(express.json({ limit: FORM_LIMIT }));
    bareApp.post('/s/:token', (_req, res) => {
      res.status(200).json({ saved: true, complete: true });
    });
    const bare = await listen(bareApp);
    const shell = await listen(createApp({ config, logger, health: () => ({ status: 'ok', db: 'embedded' }), features: [middlewareOnly()] }));
    servers.push(app.server, bare.server, shell.server);

    const bodies = tokens.map((_, i) => answerBody(i));
    const slice = (from: number, n: number) => [tokens.slice(from, from + n), bodies.slice(from, from + n)] as const;
    await drive(bare.base, ...slice(0, WARM_UP), 0);
    await drive(shell.base, ...slice(0, WARM_UP), 0);
    await drive(app.base, ...slice(0, WARM_UP), 0);

    // Rounds alternate the three, so that a burst of load on the machine hits each; the median round counts.
    // Nine of them: on a machine whose speed swings within a minute (the bare handler's rate between
    // 1,500 and 3,900/s in consecutive rounds), the median of five moved by ±0.05 between runs.
    const results: RoundSet[] = [];
    for (let r = 0; r < rounds; r++) {
      const from = WARM_UP + r * perRound;
      const bareRound = await drive(bare.base, ...slice(from, perRound), from);
      const shellRound = await drive(shell.base, ...slice(from, perRound), from);
      const appRound = await drive(app.base, ...slice(from, perRound), from);
      results.push({ bare: bareRound, shell: shellRound, app: appRound });
    }
    const completed = await ResponseModel.countDocuments({ complete: true });
    // The detailed buckets alone (the coarse level counts every response a second time).
    const [counted] = await DailyRollup.aggregate<{ completed: number }>([{ $match: { level: null } }, { $group: { _id: null, completed: { $sum: '$completed' } } }]);
    if (completed !== needed || counted?.completed !== needed) throw new Error(`expected ${needed} complete responses, found ${completed} (rollups: ${counted?.completed})`);

    const rate = (round: Round) => perRound / round.seconds;
    results.sort((a, b) => rate(a.app) / rate(a.bare) - rate(b.app) / rate(b.bare));
    const ms = (v: number) => v.toFixed(1);
    console.table(
      results.map((r, i) => {
        const appSorted = [...r.app.latencies].sort((x, y) => x - y);
        const bareSorted = [...r.bare.latencies].sort((x, y) => x - y);
        return {
          round: i === (results.length - 1) >> 1 ? 'median' : '',
          submissions: perRound,
          'bare Express (submits/s)': Math.round(rate(r.bare)),
          'bare p50 / p99 (ms)': `${ms(percentile(bareSorted, 50))} / ${ms(percentile(bareSorted, 99))}`,
          'POST /s/:token (submits/s)': Math.round(rate(r.app)),
          'app p50 / p99 (ms)': `${ms(percentile(appSorted, 50))} / ${ms(percentile(appSorted, 99))}`,
          'ratio (app / bare, goal ≥ 0.5)': (rate(r.app) / rate(r.bare)).toFixed(3),
          'middleware alone / bare': (rate(r.shell) / rate(r.bare)).toFixed(3),
          'CPU ms/submit: bare | middleware | app | engine': [r.bare.cpuMs.here, r.shell.cpuMs.here, r.app.cpuMs.here, r.app.cpuMs.engine].map((v) => v.toFixed(2)).join(' | '),
          'event loop busy: bare | middleware | app': [r.bare.busy, r.shell.busy, r.app.busy].map((v) => v.toFixed(2)).join(' | '),
        };
      }),
    );
    return submitResult(invitations, perRound, rounds, results, rate);
  } finally {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    await database.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The app's own middleware, with the survey's rate limits and language headers, answering at the survey
 * route as the bare handler does: what every answer costs before the survey touches the database.
 */
function middlewareOnly(): Router {
  const router = Router();
  router.post('/s/:token', answerLimits(), (req, res) => {
    speakCustomerLanguage(req, res, 'fr');
    sendJsonAnswer(res, { saved: true, complete: true });
  });
  return router;
}

interface RoundSet {
  bare: Round;
  /** The app's middleware alone (middlewareOnly). */
  shell: Round;
  app: Round;
}

const pct = (share: number) => `${Math.round(share * 100)}%`;

/** The median round (by the app's ratio, `results` sorted so) as figures, and every round's ratios by the bare handler's rate. */
function submitResult(invitations: number, perRound: number, rounds: number, results: RoundSet[], rate: (r: Round) => number): SuiteResult {
  const median = results[(results.length - 1) >> 1]!;
  const bareLabel = 'bare Express handler';
  const byBare = [...results].sort((a, b) => rate(a.bare) - rate(b.bare));
  const roundLine = (r: RoundSet) => `${Math.round(rate(r.bare)).toLocaleString('en')}/s: ${(rate(r.app) / rate(r.bare)).toFixed(2)} (${(rate(r.shell) / rate(r.bare)).toFixed(2)}), event loop ${pct(r.app.busy)} busy`;
  const latency = (r: Round, p: number) => percentile([...r.latencies].sort((x, y) => x - y), p);
  return {
    name: 'submit',
    description:
      `Completed JSON submissions through POST /s/:token (the whole app: token lookup among ${invitations.toLocaleString('en')} invitations, validation, the response written, ` +
      `the rollup update, the invitation marked answered), each a different invitation, under ${CONCURRENCY} concurrent customers, against a bare Express handler ` +
      `(same express.json parsing, writes nothing) in the same run, after ${WARM_UP.toLocaleString('en')} warm-up submits to each; the median of ${rounds} alternating rounds of ${perRound.toLocaleString('en')}. Goal (issue #6): ratio ≥ 0.5. For reference, in the same rounds: the app's own middleware (security headers, request log, locale, body parsing, the survey's rate limits and language headers) answering at the survey route as the bare handler does, without the database.`,
    figures: [
      figure({ label: 'submissions/s through POST /s/:token', value: rate(median.app), unit: 'submits/s', baseline: { label: bareLabel, value: rate(median.bare) }, goal: { on: 'ratio', atLeast: 0.5 } }),
      figure({ label: 'p50 latency, POST /s/:token', value: latency(median.app, 50), unit: 'ms', baseline: { label: bareLabel, value: latency(median.bare, 50) } }),
      figure({ label: 'p99 latency, POST /s/:token', value: latency(median.app, 99), unit: 'ms', baseline: { label: bareLabel, value: latency(median.bare, 99) } }),
      figure({ label: 'CPU per submission, app process', value: median.app.cpuMs.here, unit: 'ms', baseline: { label: bareLabel, value: median.bare.cpuMs.here } }),
      figure({ label: "submissions/s through the app's middleware alone, no database (for reference)", value: rate(median.shell), unit: 'submits/s', baseline: { label: bareLabel, value: rate(median.bare) } }),
    ],
    notes: [
      `Embedded engine CPU per submission in the median round: ${median.app.cpuMs.engine.toFixed(2)} ms.`,
      `This process's event loop (the customers and the server under test) was busy ${pct(median.app.busy)} of the median round's app run, against ${pct(median.bare.busy)} of the bare handler's and ${pct(median.shell.busy)} of the middleware's: the rest of the time the app waited for the database.`,
      `Every round, by the bare handler's rate: the app's ratio (the middleware alone's), and how busy the event loop was in the app's run: ${byBare.map(roundLine).join('; ')}.`,
    ],
  };
}
