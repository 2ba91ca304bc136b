/**
 * The demo's calls: each queue's working days over six months (weekdays busy, Saturday
 * mornings light, Sundays closed), in the local hours of the site that had the queue,
 * with an agent of the team on duty, a reason, and whether the customer got what they
 * called for. Customers who did not call back within days far more often than the others,
 * and those repeat calls are generated too. Pure: the same plan and random source give
 * the same calls.
 */
import { addDays, localDate, zonedInstant, zonedParts } from '../time/local-time';
import { newCustomer, type DemoCustomer } from './people';
import { DAY_MS, informationChance, siteOf, teamAt, type DemoPlan, type DemoQueue } from './plan';
import type { Random } from './random';

export interface DemoCall {
  endedAt: Date;
  site: string;
  queue: string;
  agent: string;
  reason: string;
  durationSec: number;
  /** Index in the customers list. */
  customer: number;
  /** Whether the customer got the information (what their answer will mostly say). */
  informed: boolean;
  /** A call back about an earlier call (same customer and queue, within 7 days). */
  repeat: boolean;
  /** The customer called the same queue again within 7 days of this call. */
  calledBack: boolean;
}

const MINUTE_MS = 60_000;
/** Opening hours by day of the week (0 = Sunday), local to the site. */
const OPEN: ([string, string] | null)[] = [null, ['08:30', '19:00'], ['08:30', '19:00'], ['08:30', '19:00'], ['08:30', '19:00'], ['08:30', '19:00'], ['09:00', '13:00']];
const DAY_VOLUME = [0, 1.15, 1, 0.95, 0.95, 0.9, 0.35];
/** Calls per hour from 08:00 to 18:00 (the morning peak, lunch, the afternoon). */
const HOURLY: [number, number][] = [[8, 0.5], [9, 1.2], [10, 1.5], [11, 1.4], [12, 0.8], [13, 0.9], [14, 1.3], [15, 1.2], [16, 1.1], [17, 0.9], [18, 0.6]];

const dayOfWeek = (date: string) => new Date(`${date}T12:00:00Z`).getUTCDay();
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** A moment in the opening hours of `date` at a site, following the day's curve. */
function momentOn(random: Random, date: string, timeZone: string): Date | null {
  const open = OPEN[dayOfWeek(date)];
  if (!open) return null;
  const [from, to] = [minutesOf(open[0]), minutesOf(open[1])];
  const hours = HOURLY.filter(([h]) => h * 60 + 60 > from && h * 60 < to);
  const hour = random.weighted(hours.map(([h, w]) => [h, w] as const));
  const minute = Math.min(to - 1, Math.max(from, hour * 60 + random.int(0, 59)));
  return new Date(zonedInstant(date, hhmm(minute), timeZone).getTime() + random.int(0, 59) * 1000);
}

/** `instant` if the site is open then, else a moment soon after the next opening. */
function nextOpen(random: Random, instant: Date, timeZone: string): Date {
  const { date, time } = zonedParts(instant, timeZone);
  const today = OPEN[dayOfWeek(date)];
  if (today && time >= today[0] && time < today[1]) return instant;
  for (let d = today && time < today[0] ? 0 : 1; d <= 3; d += 1) {
    const day = addDays(date, d);
    const open = OPEN[dayOfWeek(day)];
    if (open) return new Date(zonedInstant(day, open[0], timeZone).getTime() + random.int(1, 90) * MINUTE_MS);
  }
  return instant;
}

interface Context {
  plan: DemoPlan;
  random: Random;
  zones: Map<string, string>;
  skill: Map<string, number>;
  customers: DemoCustomer[];
  byQueue: Map<string, number[]>;
}

function callAt(ctx: Context, queue: DemoQueue, endedAt: Date, reason: string, customer: number, repeat: boolean): DemoCall | null {
  const site = siteOf(queue, endedAt);
  const team = teamAt(ctx.plan, queue.code, endedAt).filter((a) => a.site === site);
  if (team.length === 0) return null;
  const agent = ctx.random.pick(team).login;
  const chance = informationChance(ctx.plan, site, queue, reason, endedAt) + (ctx.skill.get(`${agent}/${queue.code}`) ?? 0) + (repeat ? 0.05 : 0);
  const informed = ctx.random.chance(chance);
  const durationSec = Math.round(Math.min(2700, Math.max(45, ctx.random.logNormal(Math.log(informed ? 330 : 420), 0.5))));
  return { endedAt, site, queue: queue.code, agent, reason, durationSec, customer, informed, repeat, calledBack: false };
}

/** A returning customer of the queue now and then, else a new one. */
function customerFor(ctx: Context, queue: string): number {
  let earlier = ctx.byQueue.get(queue);
  if (!earlier) ctx.byQueue.set(queue, (earlier = []));
  if (earlier.length > 50 && ctx.random.chance(0.1)) return ctx.random.pick(earlier);
  const n = ctx.customers.length;
  ctx.customers.push(newCustomer(ctx.random, n + 1));
  earlier.push(n);
  return n;
}

/** The call back of `call`, if its customer calls again within 7 days (and before now). */
function callBack(ctx: Context, queue: DemoQueue, call: DemoCall): DemoCall | null {
  if (!ctx.random.chance(call.informed ? 0.07 : 0.4)) return null;
  const days = call.informed ? ctx.random.between(0.6, 7) : Math.min(6.5, 0.05 + ctx.random.logNormal(0, 0.9));
  const at = nextOpen(ctx.random, new Date(call.endedAt.getTime() + days * DAY_MS), ctx.zones.get(siteOf(queue, call.endedAt)) as string);
  if (at.getTime() - call.endedAt.getTime() >= 7 * DAY_MS || at.getTime() > ctx.plan.now.getTime()) return null;
  const reason = !call.informed && ctx.random.chance(0.15) ? 'cancellation' : call.reason;
  return callAt(ctx, queue, at, reason, call.customer, true);
}

/** Six months of calls up to `plan.now`, oldest first; `size` scales the volume (1: about 30,000). */
export function generateCalls(plan: DemoPlan, random: Random, size: number): { calls: DemoCall[]; customers: DemoCustomer[] } {
  const ctx: Context = { plan, random, zones: new Map(plan.sites.map((s) => [s.code, s.timezone])), skill: new Map(), customers: [], byQueue: new Map() };
  for (const agent of plan.agents) ctx.skill.set(`${agent.login}/${agent.queue}`, random.fork(agent.login).between(-0.06, 0.06));
  const calls: DemoCall[] = [];
  const first = localDate(plan.start, 'Europe/Paris');
  const last = localDate(plan.now, 'Europe/Paris');
  for (let date = first; date <= last; date = addDays(date, 1)) {
    const busy = random.between(0.85, 1.15);
    for (const queue of plan.queues) {
      const expected = queue.weekdayCalls * (DAY_VOLUME[dayOfWeek(date)] as number) * busy * size;
      const count = Math.floor(expected) + (random.chance(expected % 1) ? 1 : 0);
      const zone = ctx.zones.get(siteOf(queue, zonedInstant(date, '12:00', 'Europe/Paris'))) as string;
      for (let i = 0; i < count; i += 1) {
        const endedAt = momentOn(random, date, zone);
        if (!endedAt || endedAt < plan.start || endedAt > plan.now) continue;
        const call = callAt(ctx, queue, endedAt, random.weighted(queue.reasons), customerFor(ctx, queue.code), false);
        if (call) calls.push(call);
      }
    }
  }
  // Call backs, and now and then the call back of a call back.
  for (let i = 0; i < calls.length; i += 1) {
    const call = calls[i] as DemoCall;
    const queue = plan.queues.find((q) => q.code === call.queue) as DemoQueue;
    const again = callBack(ctx, queue, call);
    if (again) calls.push(again);
  }
  calls.sort((a, b) => a.endedAt.getTime() - b.endedAt.getTime());
  markCallBacks(calls);
  return { calls, customers: ctx.customers };
}

/** Sets calledBack on every call (oldest first) followed by another of the same customer to the same queue within 7 days. */
function markCallBacks(calls: DemoCall[]): void {
  const earlier = new Map<string, DemoCall[]>();
  for (const call of calls) {
    const key = `${call.customer}|${call.queue}`;
    const previous = earlier.get(key) ?? [];
    for (const p of previous) {
      const gap = call.endedAt.getTime() - p.endedAt.getTime();
      if (gap > 0 && gap <= 7 * DAY_MS) p.calledBack = true;
    }
    earlier.set(key, [...previous.filter((p) => call.endedAt.getTime() - p.endedAt.getTime() <= 7 * DAY_MS), call]);
  }
}
