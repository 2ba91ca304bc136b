/**
 * Crash safety of answers: the app runs as a real process on a data directory this file
 * owns; customers answer at once (one-click partial saves, autosaves, JSON and form
 * submits, changed answers, double submits) and the process is killed with SIGKILL at a
 * random moment of the load, in some rounds with its embedded engine (a power loss), then
 * restarted on the same directory. Whatever got a 2xx/3xx is stored, once, as the last
 * acknowledged save left it or as a save in flight at the kill changed it; the rollups of
 * both levels equal a recount of the responses once the app has started again.
 */
import http from 'node:http';
import mongoose from 'mongoose';
import { loadConfig } from '../../server/config';
import { connect } from '../../server/db';
import { createInvitations } from '../../server/invitations';
import { createLogger } from '../../server/logger';
import { createSite } from '../../server/sites';
import { getPublished, loadSurveyTemplates } from '../../server/templates';
import { answered, crashApp, enginePidOf, loggedErrors, postOutcome, type Outcome } from '../helpers/crash';
import { killApp, runApp, type AppProcess } from '../helpers/process';
import { seeded, type Rng } from '../helpers/random';
import { checkRollups } from '../helpers/rollup-check';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

const SEED = 20_269;
const ROUNDS = 4;
const CUSTOMERS = 120;
const WORKERS = 16;
const DAY = 86_400_000;

type Answers = Record<string, string | number>;
/** A customer's response as stored: null before the first save. */
type State = { answers: Answers; complete: boolean } | null;
type Kind = 'one-click' | 'autosave' | 'json' | 'form';
interface Save {
  kind: Kind;
  answers: Answers;
  /** Sent twice at once (a double click on the submit button). */
  twice: boolean;
}
interface Customer {
  id: string;
  token: string;
  /** Every state the acknowledged saves allow, with or without the saves a crash cut (by canonical form). */
  possible: Map<string, State>;
  /** A full submit of this customer was acknowledged: the invitation must be answered. */
  submitted: boolean;
}

const canonical = (s: State) => (s ? JSON.stringify([s.complete, Object.entries(s.answers).sort(([a], [b]) => a.localeCompare(b))]) : 'none');

/** What a save makes of a stored response, as the survey promises it (a model written here, not the app's code). */
function apply(state: State, save: Save): State {
  if (save.kind === 'json' || save.kind === 'form') return { answers: { ...save.answers }, complete: true };
  const answers: Answers = { ...state?.answers, ...save.answers };
  // The template's one condition: "missing" is asked only after "no" to "info".
  if (answers.info !== 'no') delete answers.missing;
  return { answers, complete: state?.complete ?? false };
}

function nextSave(rng: Rng, n: number): Save {
  const draw = rng();
  if (draw < 0.2) return { kind: 'one-click', answers: { info: rng() < 0.5 ? 'no' : 'yes' }, twice: false };
  if (draw < 0.4) {
    const one: Answers[] = [{ csat: 1 + Math.floor(rng() * 5) }, { nps: Math.floor(rng() * 11) }, { comment: `Autosave ${n} — « très bien » ✓` }, { missing: `Le délai ${n}` }];
    return { kind: 'autosave', answers: one[Math.floor(rng() * one.length)] as Answers, twice: false };
  }
  const answers: Answers = { info: rng() < 0.4 ? 'no' : 'yes', csat: 1 + Math.floor(rng() * 5) };
  if (answers.info === 'no' && rng() < 0.7) answers.missing = `Les horaires d’ouverture (${n})`;
  if (rng() < 0.7) answers.nps = Math.floor(rng() * 11);
  if (rng() < 0.5) answers.comment = `Merci, appel n° ${n} 👍`;
  return { kind: draw < 0.7 ? 'json' : 'form', answers, twice: rng() < 0.25 };
}

/** The request a save makes, from its own client address (the per-address limit is not what this file tests). */
function requestOf(save: Save, n: number): { headers: Record<string, string>; body: string; ack: number } {
  const headers = { 'x-forwarded-for': `10.9.${(n >> 8) & 255}.${n & 255}` };
  if (save.kind === 'form') {
    const field = (id: string) => String(save.answers[id] ?? '');
    const body = new URLSearchParams({ info: field('info'), missing: field('missing'), csat: field('csat'), nps: field('nps'), comment: field('comment'), _unseen: '' });
    return { headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: body.toString(), ack: 303 };
  }
  const partial = save.kind === 'one-click' || save.kind === 'autosave';
  const body = JSON.stringify({ answers: save.answers, partial, channel: save.kind === 'one-click' ? 'email-click' : 'web' });
  return { headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' }, body, ack: 200 };
}

let dataDir = '';
let app: AppProcess | undefined;
const customers: Customer[] = [];
const logger = createLogger({ logLevel: 'silent' });
const appEnv = () => ({ DATA_DIR: dataDir, TRUST_PROXY: 'loopback', LOG_LEVEL: 'warn' });
const openDatabase = () => connect(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), logger);
const collection = (name: string) => mongoose.connection.collection(name);
let sent = 0;

afterEach(() => killApp(app));
afterAll(removeTempDirs);

/** The survey world before the first start: the template, two sites, invitations sent with tokens we keep. */
beforeAll(async () => {
  dataDir = makeTempDir('retour-crash-');
  const database = await openDatabase();
  try {
    await loadSurveyTemplates({ logger });
    for (const [code, name, country, timezone] of [['ABV', 'Abbeville', 'FR', 'Europe/Paris'], ['CAS', 'Casablanca', 'MA', 'Africa/Casablanca']] as const) {
      await createSite(code, { name, country, timezone, locale: 'fr' }, { type: 'system' });
    }
    const version = await getPublished('post-call');
    const now = Date.now();
    const created = await createInvitations(
      Array.from({ length: CUSTOMERS }, (_, i) => {
        const callEndedAt = new Date(now - (1 + (i % 2)) * DAY);
        return {
          callId: `crash-call-${i}`,
          externalId: `pbx-crash-${i}`,
          site: i % 3 === 0 ? 'CAS' : 'ABV',
          queue: i % 4 < 2 ? 'business-support' : 'home-line',
          agent: `agent.${i % 5}`,
          reason: i % 7 === 0 ? undefined : ['billing', 'contract'][i % 2],
          customer: { email: `customer.${i}@example.fr`, locale: 'fr' as const },
          templateKey: 'post-call',
          callEndedAt,
          day: callEndedAt.toISOString().slice(0, 10),
          sendAt: new Date(callEndedAt.getTime() + 30 * 60_000),
          expiresAt: new Date(now + 7 * DAY),
        };
      }),
    );
    for (const result of created) {
      if (!('token' in result)) throw result.error;
      customers.push({ ...result, possible: new Map([['none', null]]), submitted: false });
    }
    await collection('invitations').updateMany({}, { $set: { state: 'sent', sentAt: new Date(now - DAY), templateVersionId: version.id, attempts: 1, nextAttemptAt: null } });
  } finally {
    await database.disconnect();
  }
}, 30_000);

/** Folds a save's outcomes into what the customer's response may be; returns false once the crash cut one. */
function record(customer: Customer, save: Save, ack: number, outcomes: Outcome[], problems: string[]): boolean {
  const after = new Map([...customer.possible.values()].map((s) => apply(s, save)).map((s) => [canonical(s), s] as const));
  const acked = outcomes.some((o) => answered(o) && o.status === ack);
  for (const o of outcomes) if (answered(o) && o.status !== ack) problems.push(`${save.kind} answered ${o.status}: ${o.text.slice(0, 200)}`);
  // Identical saves: one acknowledged means applied (twice changes nothing more); otherwise it may or may not be.
  customer.possible = acked ? after : new Map([...customer.possible, ...after]);
  if (acked && (save.kind === 'json' || save.kind === 'form')) customer.submitted = true;
  return outcomes.every(answered);
}

/** Customers answer from WORKERS clients (one save at a time per customer) until `stop()` says the app is gone. */
async function load(url: string, round: number, onAck: () => void, stopped: () => boolean, problems: string[]): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: WORKERS * 2 });
  try {
    await Promise.all(
      Array.from({ length: WORKERS }, async (_, w) => {
        const rng = seeded(SEED + round * 1000 + w);
        const mine = customers.filter((_, i) => i % WORKERS === w);
        for (let next = Math.floor(rng() * mine.length); !stopped(); next++) {
          const customer = mine[next % mine.length] as Customer;
          for (let visit = 1 + Math.floor(rng() * 3); visit > 0 && !stopped(); visit--) {
            const save = nextSave(rng, ++sent);
            const { headers, body, ack } = requestOf(save, sent);
            const outcomes = await Promise.all((save.twice ? [1, 2] : [1]).map(() => postOutcome(agent, `${url}/s/${customer.token}`, headers, body)));
            const complete = record(customer, save, ack, outcomes, problems);
            outcomes.filter((o) => answered(o) && o.status === ack).forEach(onAck);
            if (!complete) return;
          }
        }
      }),
    );
  } finally {
    agent.destroy();
  }
}

/**
 * With the app stopped: every customer's response is one the acknowledged saves allow (then
 * taken as the only one), an acknowledged submit left its invitation answered, and each
 * bucket holds what a recount of its responses gives: all of them after a start and a
 * clean stop (`afterCrash` false), those with no response left pending after a crash.
 */
async function checkStored(afterCrash: boolean): Promise<void> {
  const database = await openDatabase();
  try {
    const stored = await collection('responses').find({}).toArray();
    const byInvitation = new Map(stored.map((r) => [String(r.invitationId), r]));
    expect(byInvitation.size).toBe(stored.length);
    const states = new Map((await collection('invitations').find({}, { projection: { state: 1 } }).toArray()).map((i) => [String(i._id), String(i.state)]));
    const wrong: string[] = [];
    for (const customer of customers) {
      const response = byInvitation.get(customer.id);
      // A partial save whose answers all fall to showIf stores none: Mongoose leaves the empty object out.
      const state: State = response ? { answers: (response.answers ?? {}) as Answers, complete: response.complete === true } : null;
      if (!customer.possible.has(canonical(state))) wrong.push(`${customer.id}: stored ${canonical(state)}, allowed ${[...customer.possible.keys()].join(' | ')}`);
      else customer.possible = new Map([[canonical(state), state]]);
      const invitation = states.get(customer.id);
      if (customer.submitted && invitation !== 'answered') wrong.push(`${customer.id}: submitted, invitation ${invitation}`);
      if (invitation === 'answered' && !state?.complete) wrong.push(`${customer.id}: answered, response ${canonical(state)}`);
    }
    expect(wrong).toEqual([]);
    const rollups = await checkRollups({ skipPending: afterCrash });
    expect(rollups.mismatches).toEqual([]);
    if (!afterCrash) expect(rollups.pendingBuckets).toBe(0);
  } finally {
    await database.disconnect();
  }
}

describe('answers through crashes', () => {
  it('stores every acknowledged answer once and keeps the rollups equal to the responses, through rounds of SIGKILL', async () => {
    const rng = seeded(SEED);
    for (let round = 0; round < ROUNDS; round++) {
      const running = (app = runApp(appEnv()));
      const { url } = await running.ready;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const engine = enginePidOf(running.child.pid as number);
      // Odd rounds: a power loss (the engine dies hard too); even rounds: the engine sees the app go.
      const powerLoss = round % 2 === 1;
      const killAt = 30 + Math.floor(rng() * 90);
      const problems: string[] = [];
      let acks = 0;
      let crash: Promise<void> | undefined;
      const onAck = () => {
        if (++acks >= killAt && !crash) crash = crashApp(running, engine, powerLoss);
      };
      await load(url, round, onAck, () => crash !== undefined, problems);
      await crash;
      if (problems.length > 0) problems.push(...loggedErrors(running.stdout()));
      expect(problems).toEqual([]);
      await checkStored(true);
    }

    // Restarted once more: it serves, takes answers, stops cleanly, and nothing is left to recount.
    const running = (app = runApp(appEnv()));
    const { url } = await running.ready;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const problems: string[] = [];
    let acks = 0;
    await load(url, ROUNDS, () => void acks++, () => acks >= 40, problems);
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
    if (problems.length > 0) problems.push(...loggedErrors(running.stdout()));
    expect(problems).toEqual([]);
    await checkStored(false);
    expect(customers.filter((c) => c.submitted).length).toBeGreaterThan(CUSTOMERS / 4);
  }, 120_000);
});
