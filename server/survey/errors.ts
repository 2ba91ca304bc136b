/**
 * How the survey's refusals read: an unknown link (404), a closed survey (410), too many
 * answers at once (429) as survey pages in the customer's language, and, for JSON
 * requests, { error: { code, message, details } } with one message per question for
 * INVALID_ANSWERS. Anything else goes on to the app's error handler.
 */
import type { ErrorRequestHandler } from 'express';
import { AppError } from '../errors';
import { issueMessage, renderBusy, renderClosed, renderUnknown } from './page';
import { isJsonRequest, speakCustomerLanguage } from './handlers';
import { SurveyClosed } from './service';
import { InvalidAnswers } from './submit';

export function surveyErrors(): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent || !(err instanceof AppError) || err.status >= 500) return next(err);
    if (err instanceof SurveyClosed) speakCustomerLanguage(req, res, err.locale);
    else res.set('Cache-Control', 'no-store');
    if (isJsonRequest(req)) {
      const details =
        err instanceof InvalidAnswers
          ? err.issues.map((issue) => ({ question: issue.question, message: issueMessage(res, err.definition.questions.find((q) => q.id === issue.question), issue) }))
          : (err.details ?? null);
      res.status(err.status).json({ error: { code: err.code, message: err.message, details } });
      return;
    }
    if (err.code === 'SURVEY_NOT_FOUND') return renderUnknown(res);
    if (err instanceof SurveyClosed) return renderClosed(res, err);
    if (err.code === 'RATE_LIMITED') return renderBusy(res);
    next(err);
  };
}
