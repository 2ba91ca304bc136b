/**
 * HTTP adapters of the customer's survey: the page (a GET never records an answer: mail
 * scanners and link previews fetch pages), and answers posted from the page's form, its
 * script (JSON) or an integration. Pages speak the invitation's language unless the
 * reader chose the other one (?lang=).
 */
import type { Request, Response } from 'express';
import { useLocale } from '../http/i18n';
import { sendJsonAnswer } from '../http/json-answer';
import { isLocale, type Locale } from '../i18n';
import type { Answers } from '../templates';
import { readFormAnswers, readJsonAnswers } from './answers';
import { renderSurvey, renderThanks, surveyHref } from './page';
import { findSurvey, recordVisit, siteTimeZone } from './service';
import { startingState, submitForm, submitJson } from './submit';

// GET /s/:token: the survey with the answers so far (or the thank-you page once answered; ?edit=1 to change them).
export async function showSurvey(req: Request, res: Response): Promise<void> {
  const token = String(req.params.token);
  const survey = await findSurvey(token, { withResponse: true });
  speakCustomerLanguage(req, res, survey.invitation.locale);
  await recordVisit(survey);
  if (survey.response?.complete && req.query.edit !== '1') {
    return renderThanks(res, survey, token, await siteTimeZone(survey.invitation.site));
  }
  const stored = (survey.response?.answers ?? {}) as Answers;
  renderSurvey(res, survey, token, startingState(survey.version.definition, stored, req.query.a));
}

// POST /s/:token: answers, form-encoded (303 to the thank-you page, or the form again) or JSON ({ saved, complete }).
export async function submitSurvey(req: Request, res: Response): Promise<void> {
  const token = String(req.params.token);
  const survey = await findSurvey(token, { withResponse: false });
  speakCustomerLanguage(req, res, survey.invitation.locale);
  const locale = res.locals.locale;
  if (isJsonRequest(req)) {
    sendJsonAnswer(res, await submitJson(survey, readJsonAnswers(req.body), locale));
    return;
  }
  const outcome = await submitForm(survey, readFormAnswers(req.body), locale);
  if (outcome.done) return res.redirect(303, surveyHref(token, locale));
  renderSurvey(res, survey, token, outcome.state, outcome.status);
}

export function isJsonRequest(req: Request): boolean {
  return Boolean(req.is('application/json')) || req.accepts(['html', 'json']) === 'json';
}

/** The invitation's language unless ?lang= chose one; private pages, kept out of caches and indexes. */
export function speakCustomerLanguage(req: Request, res: Response, locale: Locale): void {
  res.set('Cache-Control', 'no-store');
  res.set('X-Robots-Tag', 'noindex');
  if (!isLocale(req.query.lang)) useLocale(res, locale);
}
