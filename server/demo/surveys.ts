/**
 * The life of each demo call after it ended, as Retour would have lived it: the survey
 * decision by the real eligibility rules (suppression, 30-day quarantine, sampling,
 * quiet hours), then the invitation's fate up to now — sent, bounced, answered (often
 * with the email's one-click answer, sometimes only that), reminded, unsubscribed,
 * expired, still open, or still waiting to go out. Pure, like the rest of the generator.
 */
import { decideEligibility, type Decision } from '../calls';
import { SURVEY_DEFAULTS, type SurveySettings } from '../queues';
import { isoWeek } from '../time/local-time';
import { answer, type DemoResponse } from './answers';
import type { DemoCall } from './calls';
import type { DemoCustomer } from './people';
import type { DemoPlan } from './plan';
import type { Random } from './random';

export interface DemoInvitation {
  call: number;
  state: 'scheduled' | 'sent' | 'opened' | 'answered' | 'failed' | 'expired';
  sendAt: Date;
  expiresAt: Date;
  sentAt: Date | null;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  reminderAt: Date | null;
  reminderAttempts: number;
  reminderSentAt: Date | null;
  openedAt: Date | null;
  answeredAt: Date | null;
  unsubscribedAt: Date | null;
}

export type { DemoResponse };

export interface DemoSuppression {
  customer: number;
  reason: 'unsubscribed' | 'bounced';
  at: Date;
  invitation: number;
}

export interface DemoSurveys {
  /** One per call, in call order, with when it was taken. */
  decisions: (Decision & { decidedAt: Date; week: string })[];
  invitations: DemoInvitation[];
  responses: DemoResponse[];
  suppressions: DemoSuppression[];
}

const MINUTE_MS = 60_000;
/**
 * The latest unanswered invitations (due in the last 90 minutes, and at least eight) are
 * left unsent for the dispatch worker: the outbox fills with real emails as the app starts.
 */
const LEFT_FOR_WORKER = { ms: 90 * MINUTE_MS, atLeast: 8 };

const later = (at: Date, ms: number) => new Date(at.getTime() + ms);

/** Decides and plays out every call's survey, oldest call first: quarantine and suppression depend on the earlier ones. */
export function generateSurveys(plan: DemoPlan, calls: DemoCall[], customers: DemoCustomer[], random: Random): DemoSurveys {
  const now = plan.now.getTime();
  const settings = new Map(plan.queues.map((q) => [q.code, { ...SURVEY_DEFAULTS, ...q.survey } as SurveySettings]));
  const zones = new Map(plan.sites.map((s) => [s.code, s.timezone]));
  const surveyed = new Map<number, Date[]>();
  const agentWeeks = new Map<string, number>();
  const suppressed = new Map<number, DemoSuppression>();
  const out: DemoSurveys = { decisions: [], invitations: [], responses: [], suppressions: [] };

  calls.forEach((call, index) => {
    const timeZone = zones.get(call.site) as string;
    const decidedAt = new Date(Math.min(now, call.endedAt.getTime() + random.int(20, 240) * 1000));
    const week = isoWeek(call.endedAt, timeZone);
    const weekKey = `${call.queue}|${call.agent}|${week}`;
    const suppression = suppressed.get(call.customer);
    const decision = decideEligibility({
      endedAt: call.endedAt,
      agent: call.agent,
      settings: settings.get(call.queue) as SurveySettings,
      timeZone,
      now: decidedAt,
      customerSurveys: surveyed.get(call.customer) ?? [],
      agentSurveysThisWeek: agentWeeks.get(weekKey) ?? 0,
      suppression: suppression && suppression.at <= decidedAt ? suppression.reason : null,
      random: random.next,
    });
    out.decisions.push({ ...decision, decidedAt, week });
    if (decision.outcome !== 'scheduled') return;
    surveyed.set(call.customer, [...(surveyed.get(call.customer) ?? []), decision.sendAt]);
    agentWeeks.set(weekKey, (agentWeeks.get(weekKey) ?? 0) + 1);

    const invitation: DemoInvitation = {
      call: index,
      state: 'scheduled',
      sendAt: decision.sendAt,
      expiresAt: decision.expiresAt,
      sentAt: null,
      attempts: 0,
      nextAttemptAt: decision.sendAt,
      lastError: null,
      reminderAt: decision.reminderAt,
      reminderAttempts: 0,
      reminderSentAt: null,
      openedAt: null,
      answeredAt: null,
      unsubscribedAt: null,
    };
    const at = out.invitations.push(invitation) - 1;
    if (decision.sendAt.getTime() > now) return;
    const customer = customers[call.customer] as DemoCustomer;
    const outcome = deliver(invitation, call, customer, now, random);
    if (outcome.suppression) {
      const s = { ...outcome.suppression, customer: call.customer, invitation: at };
      suppressed.set(call.customer, s);
      out.suppressions.push(s);
    }
    if (outcome.response) out.responses.push({ ...outcome.response, invitation: at });
  });
  leaveForWorker(out.invitations, now);
  return out;
}

/** Puts the latest invitations nobody acted on yet back to their unsent state (see LEFT_FOR_WORKER). */
function leaveForWorker(invitations: DemoInvitation[], now: number): void {
  const untouched = invitations.filter((i) => (i.state === 'sent' || i.state === 'opened') && !i.openedAt && !i.reminderSentAt && !i.unsubscribedAt);
  const latest = untouched.slice(-LEFT_FOR_WORKER.atLeast);
  for (const inv of untouched.filter((i) => latest.includes(i) || i.sendAt.getTime() > now - LEFT_FOR_WORKER.ms)) {
    inv.state = 'scheduled';
    inv.sentAt = null;
    inv.attempts = 0;
    inv.nextAttemptAt = inv.sendAt;
  }
}

type Delivered = { suppression?: Omit<DemoSuppression, 'customer' | 'invitation'>; response?: Omit<DemoResponse, 'invitation'> };

/** Sends the invitation and plays out what the customer did until now; changes `inv` in place. */
function deliver(inv: DemoInvitation, call: DemoCall, customer: DemoCustomer, now: number, random: Random): Delivered {
  inv.sentAt = later(inv.sendAt, random.int(2, 40) * 1000);
  inv.attempts = 1;
  inv.nextAttemptAt = null;
  const planned = inv.reminderAt;
  inv.reminderAt = null;
  if (random.chance(0.006)) {
    inv.state = 'failed';
    inv.lastError = `550 5.1.1 <${customer.email}>: mailbox unavailable`;
    return { suppression: { reason: 'bounced', at: inv.sentAt } };
  }
  const willAnswer = random.chance((call.informed ? 0.28 : 0.36) * (customer.locale === 'en' ? 0.85 : 1));
  const afterReminder = planned !== null && random.chance(0.22);
  const delay = random.logNormal(Math.log(afterReminder ? 150 : 80), 1.1) * MINUTE_MS;
  const answerAt = later(afterReminder && planned ? planned : inv.sentAt, delay);
  const answered = willAnswer && answerAt < inv.expiresAt && answerAt.getTime() <= now;
  const end = Math.min(now, inv.expiresAt.getTime(), answered ? answerAt.getTime() : Infinity);

  let unsubscribed = false;
  if (!answered && random.chance(0.012)) {
    const at = later(inv.sentAt, random.between(5, 2 * 24 * 60) * MINUTE_MS);
    if (at.getTime() < end) {
      inv.unsubscribedAt = at;
      unsubscribed = true;
    }
  }
  if (planned && (!unsubscribed || planned < (inv.unsubscribedAt as Date))) {
    if (planned.getTime() <= end) {
      inv.reminderSentAt = later(planned, random.int(2, 40) * 1000);
      inv.reminderAttempts = 1;
    } else if (!answered && !unsubscribed && inv.expiresAt.getTime() > now) {
      inv.reminderAt = planned; // still to come: the dispatch worker sends it
    }
  }
  if (answered) return { response: answer(inv, call, customer, answerAt, now, random) };
  if (inv.expiresAt.getTime() <= now) inv.state = 'expired';
  else if (random.chance(0.12)) {
    inv.state = 'opened';
    inv.openedAt = later(inv.sentAt, Math.min(now - inv.sentAt.getTime(), random.between(1, 600) * MINUTE_MS));
  } else inv.state = 'sent';
  return unsubscribed ? { suppression: { reason: 'unsubscribed', at: inv.unsubscribedAt as Date } } : {};
}
