/**
 * Dispatch benchmark: N invitations due now (2,000 by default) drained by the dispatch
 * worker (claim, suppression check, rendering, SMTP, outcome) into a local SMTP sink,
 * against a bare pooled Nodemailer transport sending the same messages, pre-rendered, to
 * the same sink in the same run. Reported as worker messages/s ÷ bare messages/s (goal ≥ 0.7),
 * the median of alternating rounds (a burst of load on the machine then hits both). The
 * worker's transport runs on the app's SMTP thread, as in production; the bare loop on the
 * main thread. CPU per message counts every thread of this process, the sink's included.
 *
 *   npm run bench -- dispatch          (BENCH_INVITATIONS=2000, BENCH_ROUNDS=3 by default)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { loadConfig, type Config } from '../server/config';
import { connect } from '../server/db';
import { createInvitation, startDispatchWorker } from '../server/invitations';
import { createLogger } from '../server/logger';
import { buildInvitationEmail, createMailer, type OutgoingMail } from '../server/mail';
import { createSite } from '../server/sites';
import { loadSurveyTemplates } from '../server/templates';
import { figure, type SuiteResult } from './results';

const CONNECTIONS = 5;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Round {
  bare: { seconds: number; cpuMs: number };
  worker: { seconds: number; cpuMs: number };
}

/** Wall seconds and this process's CPU milliseconds (the worker or the bare loop, plus the sink) of `run`. */
async function measure<T>(run: () => Promise<T>): Promise<{ value: T; seconds: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await run();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { value, seconds, cpuMs: (used.user + used.system) / 1000 };
}

/** Accepts every message and counts them. */
async function startSink(): Promise<{ url: string; count(): number; stop(): Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        received += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, count: () => received, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function scheduleMany(run: string, n: number, sendAt: Date): Promise<string[]> {
  const tokens: string[] = [];
  for (let from = 0; from < n; from += 100) {
    const batch = Array.from({ length: Math.min(100, n - from) }, (_, k) => from + k);
    const created = await Promise.all(
      batch.map((i) =>
        createInvitation({
          callId: `${run}-${i}`,
          externalId: `${run}-${i}`,
          site: 'ABV',
          queue: 'business-support',
          agent: `agent.${i % 50}`,
          customer: { email: `customer.${run}.${i}@example.fr`, name: `Client ${i}`, locale: i % 7 === 0 ? 'en' : 'fr' },
          templateKey: 'post-call',
          sendAt,
          expiresAt: new Date(sendAt.getTime() + 7 * 86_400_000),
        }),
      ),
    );
    tokens.push(...created.map((c) => c.token));
  }
  return tokens;
}

/** The same emails the worker sends (same template, sizes and headers), rendered up front. */
function renderSame(run: string, tokens: string[], config: Config): OutgoingMail[] {
  return tokens.map((token, i) => {
    const locale = i % 7 === 0 ? 'en' : 'fr';
    return buildInvitationEmail(
      {
        to: `customer.${run}.${i}@example.fr`,
        token,
        locale,
        siteName: 'Abbeville',
        customerName: `Client ${i}`,
        questionLabel: locale === 'fr' ? 'Avez-vous obtenu l’information dont vous aviez besoin ?' : 'Did you get the information you needed?',
        expiresAt: new Date(Date.now() + 7 * 86_400_000),
        timeZone: 'Europe/Paris',
        kind: 'invitation',
      },
      config,
    );
  });
}

/** Every message handed to the pool at once: the transport's best, with all connections busy. */
async function bareSend(url: string, from: string, mails: OutgoingMail[]): Promise<void> {
  const transport = nodemailer.createTransport({ url, pool: true, maxConnections: CONNECTIONS, maxMessages: 100 });
  await Promise.all(mails.map((m) => transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, html: m.html, headers: m.headers })));
  transport.close();
}

export async function runDispatchBench(size = 2000): Promise<SuiteResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'retour-bench-dispatch-'));
  const sink = await startSink();
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SMTP_URL: sink.url, PUBLIC_URL: 'https://feedback.example.com' });
  const logger = createLogger(config);
  const database = await connect(config, logger);
  const mailer = createMailer(config, logger);
  try {
    await loadSurveyTemplates({ logger });
    await createSite('ABV', { name: 'Abbeville', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' }, { type: 'system' });
    // The worker's own default concurrency; BENCH_CONCURRENCY overrides it for experiments.
    const concurrency = process.env.BENCH_CONCURRENCY ? Number(process.env.BENCH_CONCURRENCY) : undefined;
    const worker = startDispatchWorker({ mailer, config, logger, loop: false, concurrency });

    // Warm-up: connections, template caches, JIT.
    const due = new Date(Date.now() - 1000);
    await bareSend(sink.url, config.mailFrom, renderSame('warm-bare', await scheduleMany('warm-bare', 100, new Date(Date.now() + 86_400_000)), config));
    await scheduleMany('warm', 100, due);
    await worker.runOnce();

    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const bareMails = renderSame(`bare-${round}`, await scheduleMany(`bare-${round}`, size, new Date(Date.now() + 86_400_000)), config);
      await scheduleMany(`run-${round}`, size, due);
      const before = sink.count();
      const bare = await measure(() => bareSend(sink.url, config.mailFrom, bareMails));
      const run = await measure(() => worker.runOnce());
      if (run.value !== size || sink.count() - before !== 2 * size) throw new Error(`expected ${size} emails each way, worker sent ${run.value}, sink got ${sink.count() - before}`);
      rounds.push({ bare, worker: run });
    }
    const ratio = (r: Round) => r.bare.seconds / r.worker.seconds;
    rounds.sort((a, b) => ratio(a) - ratio(b));
    const median = (rounds.length - 1) >> 1;
    const perMessage = (cpuMs: number) => (cpuMs / size).toFixed(2);
    console.table(
      rounds.map((r, i) => ({
        round: i === median ? 'median' : '',
        emails: size,
        [`bare Nodemailer, ${CONNECTIONS} connections (msg/s)`]: Math.round(size / r.bare.seconds),
        'dispatch worker (msg/s)': Math.round(size / r.worker.seconds),
        'ratio (goal ≥ 0.7)': ratio(r).toFixed(2),
        'CPU ms/msg: bare | worker': `${perMessage(r.bare.cpuMs)} | ${perMessage(r.worker.cpuMs)}`,
      })),
    );
    const { bare, worker: run } = rounds[median] as Round;
    const bareRate = size / bare.seconds;
    const workerRate = size / run.seconds;
    const bareLabel = `bare pooled Nodemailer, ${CONNECTIONS} connections`;
    return {
      name: 'dispatch',
      description:
        `${size.toLocaleString('en')} due invitations drained by the dispatch worker (claim, suppression check, rendering, SMTP, outcome) into a local SMTP sink, ` +
        `against a bare pooled Nodemailer transport sending the same messages, pre-rendered, to the same sink in the same run; the median of ${ROUNDS} alternating rounds. Goal (issue #5): ratio ≥ 0.7.`,
      figures: [
        figure({ label: 'messages/s sent by the dispatch worker', value: workerRate, unit: 'msg/s', baseline: { label: bareLabel, value: bareRate }, goal: { on: 'ratio', atLeast: 0.7 } }),
        figure({ label: 'CPU per message, worker (this process)', value: run.cpuMs / size, unit: 'ms', baseline: { label: bareLabel, value: bare.cpuMs / size } }),
      ],
    };
  } finally {
    await mailer.close();
    await database.disconnect();
    await sink.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
