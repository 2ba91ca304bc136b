/**
 * A queue's survey settings: which template, when and how often customers are asked,
 * with the defaults a new queue gets and the rules that span fields (a reminder comes
 * before expiry; quiet hours have two different ends). The dispatch feature reads them.
 */
import Joi from 'joi';
import { Invalid } from '../errors';

export interface QuietHours {
  /** HH:MM, the site's local time: no email from here... */
  start: string;
  /** ...until here (may be the next morning). */
  end: string;
}

export interface SurveySettings {
  /** The template's stable key, e.g. "post-call". */
  template: string;
  /** Minutes between the end of the call and the email. */
  delayMinutes: number;
  /** Share of eligible calls that get a survey, 0 to 1. */
  samplingRate: number;
  /** Days during which a customer who got a survey gets no other. */
  quarantineDays: number;
  /** Hours without emails, in the site's time zone; null for none. */
  quietHours: QuietHours | null;
  /** Days after which the survey link stops working. */
  expiryDays: number;
  /** Days after the email before one reminder; 0 for none. Less than expiryDays. */
  reminderDays: number;
  /** Surveys each agent should get at least per week despite sampling (balanced sampling); 0 for none. */
  minPerAgentPerWeek: number;
}

export const SURVEY_DEFAULTS: Readonly<SurveySettings> = Object.freeze({
  template: 'post-call',
  delayMinutes: 30,
  samplingRate: 1,
  quarantineDays: 30,
  quietHours: Object.freeze({ start: '20:00', end: '09:00' }),
  expiryDays: 7,
  reminderDays: 3,
  minPerAgentPerWeek: 0,
});

export const SURVEY_LIMITS = {
  delayMinutes: { min: 0, max: 1440 },
  quarantineDays: { min: 0, max: 365 },
  expiryDays: { min: 1, max: 60 },
  reminderDays: { min: 0, max: 59 },
  minPerAgentPerWeek: { min: 0, max: 100 },
} as const;

export const TEMPLATE_KEY = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;

const int = (field: keyof typeof SURVEY_LIMITS) => Joi.number().integer().min(SURVEY_LIMITS[field].min).max(SURVEY_LIMITS[field].max);
const time = Joi.string().pattern(TIME_OF_DAY).messages({ 'string.pattern.base': '{#label} must be a time of day as HH:MM' });

/** Any subset of the settings (fields left out keep their value). */
export const surveyPatch = Joi.object<Partial<SurveySettings>>({
  template: Joi.string().trim().max(60).pattern(TEMPLATE_KEY).messages({ 'string.pattern.base': '{#label} must be a template key such as post-call' }),
  delayMinutes: int('delayMinutes'),
  samplingRate: Joi.number().min(0).max(1),
  quarantineDays: int('quarantineDays'),
  quietHours: Joi.object({ start: time.required(), end: time.required() }).allow(null),
  expiryDays: int('expiryDays'),
  reminderDays: int('reminderDays'),
  minPerAgentPerWeek: int('minPerAgentPerWeek'),
});

/** `base` with `patch` laid over it, quiet hours copied so nothing is shared. */
export function mergeSurvey(base: SurveySettings, patch: Partial<SurveySettings> = {}): SurveySettings {
  const merged = { ...base, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as SurveySettings;
  return { ...merged, quietHours: merged.quietHours ? { start: merged.quietHours.start, end: merged.quietHours.end } : null };
}

/** Throws Invalid (details per field) when the settings break a rule, shape or cross-field. */
export function checkSurvey(settings: SurveySettings): SurveySettings {
  const { value, error } = surveyPatch.validate(settings, { abortEarly: false, errors: { wrap: { label: false } } });
  const details = (error?.details ?? []).map((d) => ({ field: `survey.${d.path.join('.')}`, message: d.message, type: d.type }));
  if (settings.reminderDays !== 0 && settings.reminderDays >= settings.expiryDays) {
    details.push({ field: 'survey.reminderDays', type: 'REMINDER_AFTER_EXPIRY', message: 'reminderDays must be less than expiryDays (or 0 for no reminder)' });
  }
  if (settings.quietHours && settings.quietHours.start === settings.quietHours.end) {
    details.push({ field: 'survey.quietHours.end', type: 'QUIET_HOURS_EMPTY', message: 'quietHours start and end must differ' });
  }
  if (details.length > 0) throw new Invalid(undefined, { details });
  return mergeSurvey(value as SurveySettings);
}

/** Same settings? (Decides whether an update writes anything.) */
export function sameSurvey(a: SurveySettings, b: SurveySettings): boolean {
  return JSON.stringify(mergeSurvey(SURVEY_DEFAULTS, a)) === JSON.stringify(mergeSurvey(SURVEY_DEFAULTS, b));
}
