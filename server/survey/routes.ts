/**
 * URL map of the customer's survey: no login and no CSRF token (the token in the path is
 * the secret); answers are rate-limited per address and per link. Handlers in
 * handlers.ts; the survey's own error pages in errors.ts.
 */
import { Router } from 'express';
import { surveyErrors } from './errors';
import { showSurvey, submitSurvey } from './handlers';
import { answerLimits, type SurveyLimits } from './limits';

export function surveyRoutes(deps: { limits?: SurveyLimits } = {}): Router {
  const router = Router();
  router.get('/s/:token', showSurvey);
  router.post('/s/:token', answerLimits(deps.limits), submitSurvey);
  router.use('/s/:token', surveyErrors());
  return router;
}
