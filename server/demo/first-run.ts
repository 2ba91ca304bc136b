/**
 * The demo at start-up: load it when DEMO=1, or on a first development start on the
 * embedded engine with an empty database (never on its own against MONGODB_URI, never in
 * production or tests), and tell the start-up banner what to print about it.
 */
import type { Config } from '../config';
import type { Logger } from '../logger';
import { CallModel } from '../calls/model';
import { listQueues } from '../queues';
import { listSites } from '../sites';
import { demoMarker, loadDemo, type DemoLoadResult } from './load';
import { DEMO_LOGINS, type DemoLogin } from './world';

export interface DemoStatus extends DemoLoadResult {
  /** This start asked for the demo (DEMO=1 or a first start), so "nothing changed" is news. */
  requested: boolean;
  logins: readonly DemoLogin[];
}

type DemoConfig = Pick<Config, 'demo' | 'mongodbUri' | 'nodeEnv'>;

/** No site, queue or call yet: what a first start leaves (its admin and survey templates aside). */
export async function isEmptyDatabase(): Promise<boolean> {
  const [sites, queues, call] = await Promise.all([listSites(), listQueues(), CallModel.exists({})]);
  return sites.length === 0 && queues.length === 0 && !call;
}

/** Why this start loads the demo, or null when it does not. */
export async function demoReason(config: DemoConfig): Promise<'DEMO=1' | 'first start' | null> {
  if (config.demo) return 'DEMO=1';
  if (config.nodeEnv !== 'development' || config.mongodbUri) return null;
  return (await isEmptyDatabase()) && !(await demoMarker()) ? 'first start' : null;
}

/**
 * Start-up step (prepareFeatures): loads the demo when demoReason() says so, and reports
 * the demo if the database has it (the banner prints its logins on every start), else null.
 */
export async function prepareDemo(config: DemoConfig, logger: Logger): Promise<DemoStatus | null> {
  const reason = await demoReason(config);
  if (reason) {
    if (config.nodeEnv === 'production') logger.warn('DEMO=1: the demo accounts have published passwords; keep this database out of real use');
    logger.info({ reason }, 'loading the demo data');
    const result = await loadDemo({ logger });
    if (!result.changed) logger.info({ loadedAt: result.loadedAt, state: result.state }, 'demo data already in the database: nothing changed');
    return { ...result, requested: true, logins: DEMO_LOGINS };
  }
  const marker = await demoMarker();
  if (marker?.state !== 'loaded') return null;
  const { state, seed, size, loadedAt, counts } = marker;
  return { changed: false, state, seed, size, loadedAt: loadedAt ?? null, counts: counts ?? null, ms: null, requested: false, logins: DEMO_LOGINS };
}

const number = (n: number) => n.toLocaleString('en-US');

/** The demo's lines of the start-up banner: what is loaded, and the accounts to sign in with. */
export function demoBannerLines(demo: DemoStatus, url: string): string[] {
  if (demo.state === 'loading') return ['Demo data: another instance is loading it; restart in a minute to see the demo accounts.'];
  const c = demo.counts;
  const what = c
    ? `${c.sites} sites, ${c.queues} queues, ${c.agents} agents, ${number(c.calls)} calls, ${number(c.responses)} answers`
    : 'loaded';
  const on = demo.loadedAt ? ` on ${demo.loadedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
  const when = demo.changed
    ? `loaded just now${demo.ms !== null ? ` in ${(demo.ms / 1000).toFixed(1)} s` : ''}`
    : demo.requested
      ? `already loaded${on}: nothing changed`
      : `loaded${on}`;
  const width = Math.max(...demo.logins.map((l) => l.email.length));
  return [
    `Demo data: ${what} (${when}).`,
    `Demo accounts, at ${url}/login:`,
    ...demo.logins.map((l) => {
      const who = l.role === 'admin' ? 'admin       ' : 'quality lead';
      const scope = l.sites.length > 0 ? `  (sites ${l.sites.join(', ')})` : '';
      return `  ${who}  ${l.email.padEnd(width)}  password ${l.password}${scope}`;
    }),
  ];
}
