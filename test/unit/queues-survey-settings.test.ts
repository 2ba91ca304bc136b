/**
 * Survey settings of a queue: defaults, limits, the cross-field rules, and the form's
 * percent and quiet-hours fields turning into the stored shape and back.
 */
import { Invalid } from '../../server/errors';
import { surveyFormValues, surveyFromForm } from '../../server/queues/schemas';
import { checkSurvey, mergeSurvey, sameSurvey, SURVEY_DEFAULTS } from '../../server/queues/survey-settings';

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(Invalid);
    return ((err as Invalid).details as { field: string }[]).map((d) => d.field);
  }
  throw new Error('expected Invalid');
}

describe('survey settings', () => {
  it('default to the post-call template, 30 minutes, everyone, 30 days, 20:00-09:00, 7 days, reminder on day 3', () => {
    expect(SURVEY_DEFAULTS).toEqual({
      template: 'post-call',
      delayMinutes: 30,
      samplingRate: 1,
      quarantineDays: 30,
      quietHours: { start: '20:00', end: '09:00' },
      expiryDays: 7,
      reminderDays: 3,
      minPerAgentPerWeek: 0,
    });
    expect(checkSurvey(mergeSurvey(SURVEY_DEFAULTS))).toEqual(SURVEY_DEFAULTS);
  });

  it('keep fields a change leaves out and accept no quiet hours', () => {
    const merged = mergeSurvey(SURVEY_DEFAULTS, { samplingRate: 0.25, quietHours: null });
    expect(merged).toMatchObject({ samplingRate: 0.25, quietHours: null, delayMinutes: 30 });
  });

  it('refuse values out of range, naming each field', () => {
    const bad = { ...SURVEY_DEFAULTS, delayMinutes: 1441, samplingRate: 1.5, quarantineDays: -1, expiryDays: 0 };
    expect(fieldsOf(() => checkSurvey(bad))).toEqual(
      expect.arrayContaining(['survey.delayMinutes', 'survey.samplingRate', 'survey.quarantineDays', 'survey.expiryDays']),
    );
  });

  it('refuse a reminder on or after expiry, but allow 0 for no reminder', () => {
    expect(fieldsOf(() => checkSurvey({ ...SURVEY_DEFAULTS, expiryDays: 3, reminderDays: 3 }))).toEqual(['survey.reminderDays']);
    expect(checkSurvey({ ...SURVEY_DEFAULTS, expiryDays: 1, reminderDays: 0 }).reminderDays).toBe(0);
  });

  it('refuse quiet hours that start and end at the same time, or are not HH:MM', () => {
    expect(fieldsOf(() => checkSurvey({ ...SURVEY_DEFAULTS, quietHours: { start: '20:00', end: '20:00' } }))).toEqual(['survey.quietHours.end']);
    expect(fieldsOf(() => checkSurvey({ ...SURVEY_DEFAULTS, quietHours: { start: '8:00', end: '24:00' } }))).toEqual([
      'survey.quietHours.start',
      'survey.quietHours.end',
    ]);
  });

  it('compare equal when only the order of fields differs', () => {
    const reordered = Object.fromEntries(Object.entries(SURVEY_DEFAULTS).reverse()) as typeof SURVEY_DEFAULTS;
    expect(sameSurvey(reordered, SURVEY_DEFAULTS)).toBe(true);
    expect(sameSurvey({ ...SURVEY_DEFAULTS, quietHours: null }, SURVEY_DEFAULTS)).toBe(false);
  });
});

describe('the survey settings form', () => {
  it('shows sampling in percent and quiet hours as a box and two times, and reads them back', () => {
    const values = surveyFormValues({ ...SURVEY_DEFAULTS, samplingRate: 0.125 });
    expect(values).toMatchObject({ samplingPercent: '12.5', quietHours: true, quietStart: '20:00', quietEnd: '09:00' });
    const form = { ...SURVEY_DEFAULTS, samplingPercent: 12.5, quietHours: true, quietStart: '20:00', quietEnd: '09:00' };
    expect(surveyFromForm(form)).toEqual({ ...SURVEY_DEFAULTS, samplingRate: 0.125 });
    expect(surveyFromForm({ ...form, quietHours: false }).quietHours).toBeNull();
  });
});
