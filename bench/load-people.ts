/**
 * The people of the load benchmark, each an async loop over plain node:http (bench/http.ts):
 * customers answering their survey as a phone without JavaScript does, the telephony
 * system posting batches of calls, quality leads reloading report pages. Every request is
 * timed and checked by a Recorder; what the app acknowledged is kept for the final check.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { formValues, unescapeHtml } from '../test/helpers/html-form';
import { send, type Reply } from './http';
import type { SurveyLink } from './load-seed';
import { QUEUES, REASONS } from './load-seed';
import { signIn } from './reports-http';

export const KINDS = ['survey GET', 'survey POST', 'ingest batch', 'report page'] as const;
export type Kind = (typeof KINDS)[number];

/** A person's pause before posting a form or reloading a page: uniform in [0.5 s, 2 s]. */
export const THINK_MS = { min: 500, max: 2000 } as const;
/** A request without an answer by then is an error (the run must end by itself). */
const TIMEOUT_MS = 20_000;
const FORM = 'application/x-www-form-urlencoded';

/** Latencies (ms) of the answered requests and errors, per kind of request. */
export class Recorder {
  readonly latencies = Object.fromEntries(KINDS.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
  readonly errors = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  readonly sent = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  readonly firstErrors: string[] = [];
  /** Survey posts answered 303: complete submissions, first ones and changes. */
  submitted = 0;

  /** One request; null (and an error counted) on a network error or when `problem` finds one in the answer. */
  async request(kind: Kind, what: string, run: () => Promise<Reply>, problem: (r: Reply) => string | null): Promise<Reply | null> {
    this.sent[kind] += 1;
    const start = performance.now();
    let reply: Reply;
    try {
      reply = await run();
    } catch (err) {
      this.error(kind, `${what}: ${(err as Error).message}`);
      return null;
    }
    this.latencies[kind].push(performance.now() - start);
    const wrong = problem(reply);
    if (wrong === null) return reply;
    this.error(kind, `${what}: ${wrong} (${reply.status}: ${reply.text.replace(/\s+/g, ' ').slice(0, 160)})`);
    return null;
  }

  private error(kind: Kind, message: string): void {
    this.errors[kind] += 1;
    if (this.firstErrors.length < 10) this.firstErrors.push(`${kind}, ${message}`);
  }
}

export interface Run {
  base: string;
  recorder: Recorder;
  /** False once the run's time is up: nobody starts a new step. */
  going(): boolean;
  random(): number;
}

const think = (run: Run) => new Promise((r) => setTimeout(r, THINK_MS.min + run.random() * (THINK_MS.max - THINK_MS.min)));
const expectStatus = (status: number, marker?: string) => (r: Reply) =>
  r.status !== status ? `expected ${status}` : marker && !r.text.includes(marker) ? `no ${marker} in the page` : null;

/** What a complete submission stores, by invitation id: the answers of the last 303. */
export type Acknowledged = Map<string, Record<string, unknown>>;

/** The answers a form carries, typed as the app stores them (empty fields are no answer). */
function storedForm(values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (name.startsWith('_') || value.trim() === '') continue;
    out[name] = /^\d+$/.test(value) && (name === 'csat' || name === 'nps') ? Number(value) : value;
  }
  return out;
}

/**
 * One customer slot: takes the next survey link, opens it from the email's one-click
 * answer, thinks, posts the whole form (one more round when the page asks a follow-up),
 * follows the 303 to the thank-you page, and one time in five comes back to change an answer.
 */
export async function customer(run: Run, n: number, links: () => SurveyLink | undefined, acknowledged: Acknowledged): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const headers = { accept: 'text/html', 'x-forwarded-for': `10.77.${n >> 8}.${n & 255}` };
  const get = (path: string, marker: string) =>
    run.recorder.request('survey GET', `GET ${path.split('?')[1] ?? ''}`, () => send(agent, `${run.base}${path}`, { headers, timeoutMs: TIMEOUT_MS }), expectStatus(200, marker));

  /** Posts the form of `page` with `fill` applied, and once more when the app asks a follow-up; true once answered 303. */
  const answer = async (link: SurveyLink, page: Reply, fill: (v: Record<string, string>) => void): Promise<boolean> => {
    for (let round = 0; round < 2 && run.going(); round++) {
      const action = unescapeHtml(/<form class="survey-form"[^>]*action="([^"]+)"/.exec(page.text)?.[1] ?? '');
      const values = formValues(page.text, action);
      // A follow-up page keeps the answers given: only the follow-up is new.
      if (round === 0) fill(values);
      if (values.info === 'no' && !values.missing) values.missing = 'Le délai de résiliation';
      await think(run);
      const body = new URLSearchParams(values).toString();
      const posted = await run.recorder.request('survey POST', round === 0 ? 'POST' : 'POST after a follow-up', () => send(agent, `${run.base}${action}`, { method: 'POST', headers: { ...headers, 'content-type': FORM }, body, timeoutMs: TIMEOUT_MS }), (r) =>
        r.status === 303 ? null : r.status === 200 && round === 0 && r.text.includes('survey-more') ? null : 'expected 303, or 200 with a follow-up question',
      );
      if (!posted) return false;
      if (posted.status === 303) {
        acknowledged.set(link.invitationId, storedForm(values));
        run.recorder.submitted += 1;
        return (await get(String(posted.headers.location), 'survey-thanks')) !== null;
      }
      page = posted;
    }
    return false;
  };

  try {
    for (let link = links(); link && run.going(); link = links()) {
      const oneClick = run.random() < 0.7 ? 'yes' : 'no';
      const opened = await get(`/s/${link.token}?a=info:${oneClick}`, 'survey-form');
      if (!opened) continue;
      const flip = oneClick === 'yes' && run.random() < 0.1;
      const done = await answer(link, opened, (v) => {
        if (flip) v.info = 'no';
        v.csat = String(1 + Math.floor(run.random() * 5));
        v.nps = String(Math.floor(run.random() * 11));
        if (run.random() < 0.3) v.comment = `Appel ${n}, merci.`;
      });
      if (!done || run.random() >= 0.2 || !run.going()) continue;
      const edit = await get(`/s/${link.token}?lang=${link.locale}&edit=1`, 'survey-form');
      if (edit) await answer(link, edit, (v) => (v.csat = String(1 + Math.floor(run.random() * 5))));
    }
  } finally {
    agent.destroy();
  }
}

/**
 * The telephony system: a batch of `size` finished calls every `everyMs`, one at a time,
 * their external ids starting with `prefix`; returns the external ids acknowledged as scheduled.
 */
export async function telephony(run: Run, key: string, prefix: string, size: number, everyMs: number): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const scheduled: string[] = [];
  const start = performance.now();
  try {
    for (let batch = 0; run.going(); batch++) {
      const now = Date.now();
      const calls = Array.from({ length: size }, (_, i) => {
        const queue = QUEUES[(batch + i) % QUEUES.length] as (typeof QUEUES)[number];
        return {
          externalId: `${prefix}-${batch}-${i}`,
          endedAt: new Date(now - 60_000 - i * 1000).toISOString(),
          queue: queue.code,
          agent: `${queue.site.toLowerCase()}.agent${1 + (i % 7)}`,
          reason: REASONS[i % REASONS.length],
          durationSec: 60 + ((batch * size + i) % 900),
          customer: { email: `${prefix}.${batch}.${i}@example.fr`, name: `Appelant ${i}`, locale: i % 10 === 0 ? 'en' : 'fr' },
        };
      });
      const body = JSON.stringify({ calls });
      const reply = await run.recorder.request('ingest batch', `batch ${batch}`, () => send(agent, `${run.base}/api/v1/calls`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body, timeoutMs: TIMEOUT_MS }), (r) => {
        if (r.status !== 202) return 'expected 202';
        const outcomes = (JSON.parse(r.text) as { results: { outcome: string }[] }).results.map((x) => x.outcome);
        const other = outcomes.filter((o) => o !== 'scheduled');
        return outcomes.length !== size || other.length > 0 ? `expected ${size} calls scheduled, got ${other.slice(0, 3).join(', ') || outcomes.length}` : null;
      });
      if (reply) scheduled.push(...calls.map((c) => c.externalId));
      const wait = start + (batch + 1) * everyMs - performance.now();
      if (wait > 0 && run.going()) await new Promise((r) => setTimeout(r, wait));
    }
  } finally {
    agent.destroy();
  }
  return scheduled;
}

const REPORT_PAGES = ['/reports', '/reports/trends', '/reports/comments'];

/** A quality lead signed in through the login form, reloading the report pages in turn. */
export async function lead(run: Run, n: number, login: { email: string; password: string; shows: string }): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const cookie = await signIn(agent, run.base, login);
    const headers = { accept: 'text/html', cookie, 'x-forwarded-for': `10.88.0.${n}` };
    for (let i = 0; run.going(); i++) {
      const path = REPORT_PAGES[i % REPORT_PAGES.length] as string;
      await run.recorder.request('report page', `GET ${path}`, () => send(agent, `${run.base}${path}`, { headers, timeoutMs: TIMEOUT_MS }), expectStatus(200, login.shows));
      await think(run);
    }
  } finally {
    agent.destroy();
  }
}
