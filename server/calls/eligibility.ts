/**
 * Who gets a survey, and why not: the decision for one valid, new call as a pure
 * function of the call, its queue's survey settings, the site's time zone and what the
 * caller looked up (suppression, the customer's other surveys, the agent's surveys this
 * week). Checks run in the order the decision log reports them: suppressed →
 * quarantined → sampled out → scheduled (with the quiet-hours shift noted).
 * Quiet hours use the SITE's time zone: a call carries no customer time zone, and the
 * site's is the best guess of where the customer lives.
 */
import type { SurveySettings } from '../queues';
import type { SuppressionReason } from '../suppressions';
import { addLocalDays, localDate, localDateTime, nextAllowedTime } from '../time/local-time';

export type { SuppressionReason };

/** A queue's survey settings (server/queues), all but the template, which eligibility does not need. */
export type EligibilitySettings = Omit<SurveySettings, 'template'>;

export interface EligibilityInput {
  endedAt: Date;
  agent?: string | null;
  settings: EligibilitySettings;
  /** The site's IANA zone: quiet hours, weeks and the dates in reasons are local to it. */
  timeZone: string;
  /** When the decision is made: nothing is sent before it. */
  now: Date;
  /** Send times of this customer's other surveys (any queue), in any order. */
  customerSurveys: readonly Date[];
  /** Surveys already scheduled for this agent in this queue in the call's ISO week (site time). */
  agentSurveysThisWeek: number;
  suppression: SuppressionReason | null;
  /** Uniform in [0, 1); injected so sampling is reproducible. */
  random: () => number;
}

/** Why, as a stable code: the admin pages translate it, the API sends `reason`. */
export type DecisionCode = 'SCHEDULED' | 'QUIET_HOURS' | 'SUPPRESSED' | 'QUARANTINED' | 'SAMPLED_OUT' | 'TOO_OLD';

interface Common {
  code: DecisionCode;
  /** Human text in English, e.g. "quarantined until 2026-12-20 (surveyed on 2026-11-20)". */
  reason: string;
}

export type Decision =
  | (Common & { outcome: 'suppressed'; suppression: SuppressionReason })
  | (Common & { outcome: 'quarantined'; until: Date; surveyedOn: Date })
  | (Common & { outcome: 'sampled_out' })
  | (Common & {
      outcome: 'scheduled';
      sendAt: Date;
      expiresAt: Date;
      reminderAt: Date | null;
      /** Taken despite sampling to reach the agent's weekly minimum. */
      balanced: boolean;
      /** Set when quiet hours moved the email: when it would have gone. */
      shiftedFrom: Date | null;
    });

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** When the email would go before quiet hours: `delayMinutes` after the call, never before `now`. */
export function plannedSendAt(endedAt: Date, delayMinutes: number, now: Date): Date {
  return new Date(Math.max(endedAt.getTime() + delayMinutes * MINUTE_MS, now.getTime()));
}

/** The other survey closest to `at` within `days` days (either side), or null. */
export function quarantiningSurvey(at: Date, surveys: readonly Date[], days: number): Date | null {
  if (days <= 0) return null;
  let closest: Date | null = null;
  for (const s of surveys) {
    const gap = Math.abs(s.getTime() - at.getTime());
    if (gap < days * DAY_MS && (!closest || gap < Math.abs(closest.getTime() - at.getTime()))) closest = s;
  }
  return closest;
}

/** True when the agent is under the weekly minimum, so sampling must not skip the call. */
export function needsBalancedSample(agent: string | null | undefined, surveysThisWeek: number, minPerWeek: number): boolean {
  return Boolean(agent) && minPerWeek > 0 && surveysThisWeek < minPerWeek;
}

export function decideEligibility(input: EligibilityInput): Decision {
  const { settings: s, timeZone: tz } = input;
  if (input.suppression) {
    return { outcome: 'suppressed', code: 'SUPPRESSED', suppression: input.suppression, reason: `suppressed: ${input.suppression}` };
  }
  const planned = plannedSendAt(input.endedAt, s.delayMinutes, input.now);
  const other = quarantiningSurvey(planned, input.customerSurveys, s.quarantineDays);
  if (other) {
    const until = addLocalDays(other, s.quarantineDays, tz);
    return {
      outcome: 'quarantined',
      code: 'QUARANTINED',
      until,
      surveyedOn: other,
      reason: `quarantined until ${localDate(until, tz)} (surveyed on ${localDate(other, tz)})`,
    };
  }
  // An email about a call older than the link's lifetime would arrive too late to be useful.
  if (input.now.getTime() - input.endedAt.getTime() > s.expiryDays * DAY_MS) {
    return { outcome: 'sampled_out', code: 'TOO_OLD', reason: `sampled out: the call ended more than ${s.expiryDays} days ago` };
  }
  const balanced = needsBalancedSample(input.agent, input.agentSurveysThisWeek, s.minPerAgentPerWeek);
  if (!balanced && !(input.random() < s.samplingRate)) {
    return { outcome: 'sampled_out', code: 'SAMPLED_OUT', reason: `sampled out (sampling rate ${Math.round(s.samplingRate * 100)}%)` };
  }
  const sendAt = nextAllowedTime(planned, s.quietHours, tz);
  const shifted = sendAt.getTime() !== planned.getTime();
  const reminderAt = s.reminderDays > 0 ? nextAllowedTime(addLocalDays(sendAt, s.reminderDays, tz), s.quietHours, tz) : null;
  const why = balanced ? ` (balanced sampling: ${input.agent} had ${input.agentSurveysThisWeek} of ${s.minPerAgentPerWeek} this week)` : '';
  const when = `sent at ${localDateTime(sendAt, tz)} ${tz}`;
  return {
    outcome: 'scheduled',
    code: shifted ? 'QUIET_HOURS' : 'SCHEDULED',
    sendAt,
    expiresAt: addLocalDays(sendAt, s.expiryDays, tz),
    reminderAt,
    balanced,
    shiftedFrom: shifted ? planned : null,
    reason: shifted ? `outside hours → ${when}${why}` : `scheduled: ${when}${why}`,
  };
}

/** A decision as calls store it (`decision` in the call model): every field present, null where it does not apply. */
export function decisionRecord(decision: Decision, decidedAt: Date) {
  return {
    outcome: decision.outcome,
    code: decision.code,
    reason: decision.reason,
    sendAt: decision.outcome === 'scheduled' ? decision.sendAt : null,
    until: decision.outcome === 'quarantined' ? decision.until : null,
    surveyedOn: decision.outcome === 'quarantined' ? decision.surveyedOn : null,
    suppression: decision.outcome === 'suppressed' ? decision.suppression : null,
    balanced: decision.outcome === 'scheduled' && decision.balanced,
    decidedAt,
  };
}
