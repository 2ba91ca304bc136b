/**
 * generateDemo(): the whole demo as plain records — the plan, customers, calls with their
 * survey decisions, invitations, responses and suppressions — from a seed, a size and the
 * load time. No I/O, no clock, no other randomness: same inputs, same demo.
 */
import { generateCalls, type DemoCall } from './calls';
import type { DemoCustomer } from './people';
import { buildPlan, type DemoPlan } from './plan';
import { seededRandom } from './random';
import { generateSurveys, type DemoSurveys } from './surveys';

export const DEFAULT_SEED = 20_240_611;

export interface DemoOptions {
  /** The PRNG seed; default DEFAULT_SEED. */
  seed?: number;
  /** Scales the call volume: 1 (default) is about 30,000 calls over six months. */
  size?: number;
  /** The load time: six months of calls end here. */
  now: Date;
}

export interface DemoData extends DemoSurveys {
  seed: number;
  size: number;
  plan: DemoPlan;
  customers: DemoCustomer[];
  calls: DemoCall[];
}

export function generateDemo(options: DemoOptions): DemoData {
  const seed = options.seed ?? DEFAULT_SEED;
  const size = options.size ?? 1;
  if (!(size > 0 && size <= 10)) throw new RangeError(`demo size must be in (0, 10], not ${size}`);
  const random = seededRandom(seed);
  const plan = buildPlan(options.now);
  const { calls, customers } = generateCalls(plan, random.fork('calls'), size);
  const surveys = generateSurveys(plan, calls, customers, random.fork('surveys'));
  return { seed, size, plan, customers, calls, ...surveys };
}
