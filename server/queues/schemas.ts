/**
 * Joi schemas for queue input: the API (PUT /api/v1/queues/:code), and the admin
 * forms (new queue, edit, relocate) whose flat string fields become the same shapes.
 */
import Joi from 'joi';
import { siteCode } from '../sites';
import { surveyPatch, SURVEY_LIMITS, TEMPLATE_KEY, TIME_OF_DAY, type SurveySettings } from './survey-settings';

export const QUEUE_CODE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const queueCode = Joi.string()
  .trim()
  .lowercase()
  .min(2)
  .max(40)
  .pattern(QUEUE_CODE)
  .messages({ 'string.pattern.base': '{#label} must be lowercase letters, digits and single hyphens, such as business-support' });

export const queueName = Joi.string().trim().min(1).max(100);

export const queueParams = Joi.object({ code: queueCode.required() });

export interface QueueBody {
  name: string;
  site: string;
  survey?: Partial<SurveySettings>;
}

/** PUT /api/v1/queues/:code: name and site required; survey fields left out keep their value (defaults on creation). */
export const queueBody = Joi.object<QueueBody>({
  name: queueName.required(),
  site: siteCode.required(),
  survey: surveyPatch,
});

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const date = Joi.string().trim().pattern(DATE).custom((value: string, helpers) =>
  Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ? helpers.message({ custom: '{#label} is not a date' }) : value,
);
const time = Joi.string().trim().pattern(TIME_OF_DAY);
const range = (field: keyof typeof SURVEY_LIMITS) => Joi.number().integer().min(SURVEY_LIMITS[field].min).max(SURVEY_LIMITS[field].max).required();

/** The survey settings as the form sends them: sampling in percent, quiet hours as a box and two times. */
const surveyFields = {
  template: Joi.string().trim().max(60).pattern(TEMPLATE_KEY).required(),
  delayMinutes: range('delayMinutes'),
  samplingPercent: Joi.number().min(0).max(100).precision(1).required(),
  quarantineDays: range('quarantineDays'),
  quietHours: Joi.boolean().truthy('on', '1').falsy('0', '').default(false),
  quietStart: Joi.when('quietHours', { is: true, then: time.required(), otherwise: Joi.any().strip() }),
  quietEnd: Joi.when('quietHours', { is: true, then: time.required(), otherwise: Joi.any().strip() }),
  expiryDays: range('expiryDays'),
  reminderDays: range('reminderDays'),
  minPerAgentPerWeek: range('minPerAgentPerWeek'),
};

export interface SurveyForm {
  template: string;
  delayMinutes: number;
  samplingPercent: number;
  quarantineDays: number;
  quietHours: boolean;
  quietStart?: string;
  quietEnd?: string;
  expiryDays: number;
  reminderDays: number;
  minPerAgentPerWeek: number;
}

export const editQueueForm = Joi.object<SurveyForm & { name: string }>({ name: queueName.required(), ...surveyFields });

export const newQueueForm = Joi.object<SurveyForm & { code: string; name: string; site: string; since?: string }>({
  code: queueCode.required(),
  name: queueName.required(),
  site: siteCode.required(),
  since: date.allow(''),
  ...surveyFields,
});

export const relocateForm = Joi.object<{ site: string; date: string; time?: string; note?: string; confirm?: string }>({
  site: siteCode.required(),
  date: date.required(),
  time: time.allow(''),
  note: Joi.string().trim().max(500).allow(''),
  confirm: Joi.string().valid('yes'),
});

/** The settings a valid survey form describes. */
export function surveyFromForm(form: SurveyForm): SurveySettings {
  return {
    template: form.template,
    delayMinutes: form.delayMinutes,
    samplingRate: Math.round(form.samplingPercent * 10) / 1000,
    quarantineDays: form.quarantineDays,
    quietHours: form.quietHours && form.quietStart && form.quietEnd ? { start: form.quietStart, end: form.quietEnd } : null,
    expiryDays: form.expiryDays,
    reminderDays: form.reminderDays,
    minPerAgentPerWeek: form.minPerAgentPerWeek,
  };
}

/** The form fields (strings) that show `settings`. */
export function surveyFormValues(settings: SurveySettings): Record<string, string | boolean> {
  return {
    template: settings.template,
    delayMinutes: String(settings.delayMinutes),
    samplingPercent: String(Math.round(settings.samplingRate * 1000) / 10),
    quarantineDays: String(settings.quarantineDays),
    quietHours: settings.quietHours !== null,
    quietStart: settings.quietHours?.start ?? '20:00',
    quietEnd: settings.quietHours?.end ?? '09:00',
    expiryDays: String(settings.expiryDays),
    reminderDays: String(settings.reminderDays),
    minPerAgentPerWeek: String(settings.minPerAgentPerWeek),
  };
}
