/**
 * The load benchmark's figures: per kind of request and overall, the requests, their
 * throughput, p50/p99 latency and errors against the issue's goals (no error, p99 under
 * 500 ms), what the final check found stored, and where the CPU went; printed as a table
 * and returned for bench/RESULTS.md.
 */
import os from 'node:os';
import type { Stored } from './load-check';
import { KINDS, THINK_MS, type Recorder } from './load-people';
import { figure, percentile, type Figure, type SuiteResult } from './results';

export interface Measured {
  seconds: number;
  customers: number;
  responses: number;
  links: number;
  seedSeconds: number;
  batch: { size: number; everyMs: number };
  rampMs: number;
  warmUp: { seconds: number; customers: number; errors: string[] };
  recorder: Recorder;
  /** Calls acknowledged as scheduled during the measured run. */
  calls: number;
  /** CPU milliseconds during the measured run: the app process, the engine, this process (the load generator), the whole machine. */
  cpuMs: { app: number; engine: number; generator: number; machine: number };
  /** The app's log lines at warn level or above. */
  appWarnings: string[];
  stored: Stored;
}

const P99_GOAL_MS = 500;
const none = { on: 'value', atMost: 0 } as const;

function rows(m: Measured): { kind: string; sent: number; latencies: number[]; errors: number }[] {
  const { sent, latencies, errors } = m.recorder;
  const kinds = KINDS.map((k) => ({ kind: k, sent: sent[k], latencies: latencies[k], errors: errors[k] }));
  const sum = (f: (k: (typeof kinds)[number]) => number) => kinds.reduce((s, k) => s + f(k), 0);
  return [...kinds, { kind: 'overall', sent: sum((k) => k.sent), latencies: kinds.flatMap((k) => k.latencies), errors: sum((k) => k.errors) }];
}

export function loadResult(m: Measured): SuiteResult {
  const table = rows(m);
  console.table(
    table.map((r) => ({
      'kind of request': r.kind,
      requests: r.sent,
      'per second': (r.sent / m.seconds).toFixed(1),
      'p50 (ms)': percentile(r.latencies, 50).toFixed(1),
      'p99 (ms)': percentile(r.latencies, 99).toFixed(1),
      'max (ms)': Math.max(...r.latencies).toFixed(0),
      errors: r.errors,
    })),
  );
  const figures: Figure[] = [
    figure({ label: 'completed survey submissions (303)', value: m.recorder.submitted / m.seconds, unit: 'submits/s' }),
    figure({ label: 'calls ingested (scheduled)', value: m.calls / m.seconds, unit: 'calls/s' }),
  ];
  for (const r of table) {
    figures.push(
      figure({ label: `${r.kind}: throughput`, value: r.sent / m.seconds, unit: 'req/s' }),
      figure({ label: `${r.kind}: p50 latency`, value: percentile(r.latencies, 50), unit: 'ms' }),
      figure({ label: `${r.kind}: p99 latency`, value: percentile(r.latencies, 99), unit: 'ms', goal: { on: 'value', below: P99_GOAL_MS } }),
      figure({ label: `${r.kind}: errors`, value: r.errors, goal: none }),
    );
  }
  figures.push(
    figure({ label: 'acknowledged submissions not stored exactly once as acknowledged', value: m.stored.submissionsWrong, goal: none }),
    figure({ label: 'acknowledged calls not stored exactly once', value: m.stored.callsWrong, goal: none }),
    figure({ label: 'rollup levels not counting every response once', value: m.stored.rollupsWrong, goal: none }),
  );
  const cpu = (ms: number) => `${(ms / 1000).toFixed(1)} s (${((ms / 10) / m.seconds).toFixed(0)}% of a core)`;
  const perRequest = (ms: number) => `${(ms / (table.at(-1)?.sent ?? 1)).toFixed(2)} ms`;
  const requests = table.map((r) => `${r.kind} ${r.sent.toLocaleString('en')}`).join(', ');
  return {
    name: 'load',
    description:
      `The real app in its own process (server/main.ts, NODE_ENV=production, real rate limits, TRUST_PROXY=loopback, the embedded engine, outbox mail, the dispatch worker running) ` +
      `under ${m.customers} concurrent customers for ${Math.round(m.seconds)} s, each from its own X-Forwarded-For address, looping over new survey links: the page opened from the email's ` +
      `one-click answer (\`?a=info:yes\` or \`no\`), a pause, the whole form posted form-encoded as a browser without JavaScript does (one more post when a changed answer reveals a follow-up), ` +
      `the 303 followed to the thank-you page, and one time in five the answers changed again. Meanwhile the telephony system posts ${m.batch.size} calls every ${m.batch.everyMs / 1000} s ` +
      'to POST /api/v1/calls and two quality leads signed in through the login form reload /reports, /reports/trends and /reports/comments in turn. Then the app is stopped (SIGTERM) ' +
      'and every acknowledged submission and call is checked in the database. Goal (issue #9): no error, p99 under 500 ms overall and per kind.',
    figures,
    notes: [
      `Requests: ${requests}. An error is any other status than the expected one (200 with the expected page, 303, 202 with every call scheduled), a network error or no answer within 20 s.`,
      `People pause ${THINK_MS.min / 1000}–${THINK_MS.max / 1000} s (uniform) before each form post and between report pages; customers arrive over the first ${m.rampMs / 1000} s; ` +
        `a ${m.warmUp.seconds} s warm-up with ${m.warmUp.customers} customers (not counted) runs first${m.warmUp.errors.length ? `, with errors: ${m.warmUp.errors.join('; ')}` : ''}.`,
      `Database before the run: ${m.responses.toLocaleString('en')} responses over a year with their rollups (the reports benchmark's sites and queues), ${m.links.toLocaleString('en')} survey links; stored in ${m.seedSeconds.toFixed(0)} s.`,
      `CPU during the run: app process ${cpu(m.cpuMs.app)}, ${perRequest(m.cpuMs.app)} per request; embedded engine ${cpu(m.cpuMs.engine)}, ${perRequest(m.cpuMs.engine)} per request; ` +
        `load generator ${cpu(m.cpuMs.generator)}; other work on the machine ${cpu(Math.max(0, m.cpuMs.machine - m.cpuMs.app - m.cpuMs.engine - m.cpuMs.generator))} (${os.cpus().length} cores).`,
      ...(m.recorder.firstErrors.length ? [`First errors: ${m.recorder.firstErrors.join(' · ')}`] : []),
      ...(m.stored.problems.length ? [`Stored-data problems: ${m.stored.problems.join(' · ')}`] : []),
      ...(m.appWarnings.length ? [`The app logged ${m.appWarnings.length} lines at warn or above; the first: ${m.appWarnings[0]?.slice(0, 300)}`] : []),
    ],
  };
}
