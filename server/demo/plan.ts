/**
 * The demo's world, anchored on the moment it is loaded: three sites, three queues and
 * their moves (business support from Casablanca to Abbeville four months ago; residential
 * support from Abbeville to Dreux when Dreux opened three months ago), the agents of each
 * team, the call reasons, and how often each team gives customers what they came for.
 */
import type { SurveySettings } from '../queues';
import { localDate, zonedInstant } from '../time/local-time';

export const DAY_MS = 86_400_000;
const PARIS = 'Europe/Paris';

export interface DemoSite {
  code: string;
  name: string;
  country: string;
  timezone: string;
  locale: 'fr' | 'en';
}

export interface DemoAssignment {
  site: string;
  from: Date;
  note: string | null;
}

export interface DemoQueue {
  code: string;
  name: string;
  survey: Partial<SurveySettings>;
  /** Sites in time order; the first began before the demo's six months. */
  history: DemoAssignment[];
  /** First calls on an ordinary weekday at size 1 (repeat calls come on top). */
  weekdayCalls: number;
  reasons: readonly (readonly [string, number])[];
}

export interface DemoAgent {
  login: string;
  site: string;
  queue: string;
  /** When the agent took calls in this team: [from, to). */
  from: Date;
  to: Date | null;
}

export interface DemoPlan {
  /** The first instant of the six months, and the load time: calls end between the two. */
  start: Date;
  now: Date;
  sites: DemoSite[];
  queues: DemoQueue[];
  agents: DemoAgent[];
}

export const SITES: DemoSite[] = [
  { code: 'CAS', name: 'Casablanca', country: 'MA', timezone: 'Africa/Casablanca', locale: 'fr' },
  { code: 'ABV', name: 'Abbeville', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' },
  { code: 'DRX', name: 'Dreux', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' },
];

/** Call reasons, as the telephony system codes them. */
export const REASONS = ['billing', 'contract', 'outage', 'moving', 'cancellation', 'equipment', 'payment'] as const;
export type Reason = (typeof REASONS)[number];

/** Local midnight in Paris, `months` calendar months before `now` (the relocation form's granularity). */
export function monthsBefore(now: Date, months: number): Date {
  const [y, m, d] = localDate(now, PARIS).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1 - months, d)).toISOString().slice(0, 10);
  return zonedInstant(date, '00:00', PARIS);
}

const TEAMS: { site: string; queue: string; logins: string[]; from: 'start' | 'move' | 'dreux'; to: 'move' | 'dreux' | null }[] = [
  { site: 'CAS', queue: 'billing', logins: ['y.benali', 'f.elamrani', 's.idrissi', 'k.tazi', 'n.bennani', 'm.alaoui'], from: 'start', to: null },
  { site: 'CAS', queue: 'business-support', logins: ['h.chraibi', 'o.berrada', 'r.fassi', 'l.ouazzani', 'i.lahlou'], from: 'start', to: 'move' },
  { site: 'ABV', queue: 'business-support', logins: ['a.martin', 'c.lefebvre', 'j.dubois', 'm.petit'], from: 'move', to: null },
  { site: 'ABV', queue: 'residential-support', logins: ['l.bernard', 'e.moreau', 't.garnier', 'p.fontaine', 'n.girard'], from: 'start', to: 'dreux' },
  // When residential support left for Dreux, three of its Abbeville agents joined business support.
  { site: 'ABV', queue: 'business-support', logins: ['e.moreau', 't.garnier', 'n.girard'], from: 'dreux', to: null },
  { site: 'DRX', queue: 'residential-support', logins: ['a.lambert', 'v.mercier', 'q.faure', 'h.blanc', 'd.chevalier'], from: 'dreux', to: null },
];

/** The demo's world for a load at `now`. */
export function buildPlan(now: Date): DemoPlan {
  const start = monthsBefore(now, 6);
  const before = new Date(start.getTime() - 60 * DAY_MS);
  // A queue's first assignment at midnight where it starts, as the relocation form would set it
  // (Paris midnight read in Casablanca is 23:00 the day before).
  const firstDay = localDate(before, PARIS);
  const since = (site: string) => zonedInstant(firstDay, '00:00', SITES.find((s) => s.code === site)?.timezone ?? PARIS);
  const move = monthsBefore(now, 4);
  const dreux = monthsBefore(now, 3);
  const queues: DemoQueue[] = [
    {
      code: 'business-support',
      name: 'Support professionnels',
      survey: { samplingRate: 0.6, minPerAgentPerWeek: 4 },
      history: [
        { site: 'CAS', from: since('CAS'), note: null },
        { site: 'ABV', from: move, note: 'Rapatriement du support professionnels : les clients n’obtenaient pas toujours l’information attendue.' },
      ],
      weekdayCalls: 54,
      reasons: [['outage', 25], ['contract', 25], ['equipment', 15], ['billing', 15], ['cancellation', 10], ['moving', 10]],
    },
    {
      code: 'residential-support',
      name: 'Support particuliers',
      survey: { samplingRate: 0.4 },
      history: [
        { site: 'ABV', from: since('ABV'), note: null },
        { site: 'DRX', from: dreux, note: 'Ouverture du site de Dreux.' },
      ],
      weekdayCalls: 64,
      reasons: [['outage', 30], ['equipment', 20], ['moving', 18], ['contract', 12], ['cancellation', 12], ['billing', 8]],
    },
    {
      code: 'billing',
      name: 'Facturation',
      survey: { samplingRate: 0.35 },
      history: [{ site: 'CAS', from: since('CAS'), note: null }],
      weekdayCalls: 70,
      reasons: [['billing', 45], ['payment', 25], ['cancellation', 12], ['contract', 10], ['moving', 8]],
    },
  ];
  const at = { start: before, move, dreux };
  const agents = TEAMS.flatMap((team) =>
    team.logins.map((login) => ({ login, site: team.site, queue: team.queue, from: at[team.from], to: team.to ? at[team.to] : null })),
  );
  return { start, now, sites: SITES, queues, agents };
}

/** The site that had the queue at `instant`. */
export function siteOf(queue: DemoQueue, instant: Date): string {
  let site = (queue.history[0] as DemoAssignment).site;
  for (const a of queue.history) if (a.from.getTime() <= instant.getTime()) site = a.site;
  return site;
}

/** The agents answering the queue's calls at `instant` (at its site then). */
export function teamAt(plan: DemoPlan, queue: string, instant: Date): DemoAgent[] {
  const t = instant.getTime();
  return plan.agents.filter((a) => a.queue === queue && a.from.getTime() <= t && (a.to === null || t < a.to.getTime()));
}

const BASE_INFORMATION: Record<string, number> = {
  'CAS/billing': 0.81,
  'CAS/business-support': 0.67,
  'ABV/residential-support': 0.87,
};

const REASON_EFFECT: Record<string, number> = {
  cancellation: -0.12,
  outage: -0.08,
  equipment: -0.04,
  moving: -0.03,
  contract: -0.02,
  billing: 0,
  payment: 0.04,
};

/**
 * The chance that a customer got the information they called for, by team and reason.
 * Abbeville's business support and the new Dreux site start lower and learn over weeks.
 */
export function informationChance(plan: DemoPlan, site: string, queue: DemoQueue, reason: string, at: Date): number {
  const began = [...queue.history].reverse().find((a) => a.site === site && a.from.getTime() <= at.getTime())?.from ?? plan.start;
  const weeks = (at.getTime() - began.getTime()) / (7 * DAY_MS);
  const learning = (from: number, to: number, span: number) => from + (to - from) * Math.min(1, Math.max(0, weeks / span));
  const base =
    site === 'ABV' && queue.code === 'business-support'
      ? learning(0.84, 0.92, 5)
      : site === 'DRX'
        ? learning(0.76, 0.88, 7)
        : (BASE_INFORMATION[`${site}/${queue.code}`] ?? 0.78);
  return Math.min(0.97, Math.max(0.2, base + (REASON_EFFECT[reason] ?? 0)));
}
