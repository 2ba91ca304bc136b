/**
 * The customer's survey, the public surface: the router of /s/:token (mounted by
 * features.ts). Answers are stored by server/responses; invitations and templates are read
 * through their own features.
 */
export { surveyRoutes } from './routes';
export { SURVEY_LIMITS, type SurveyLimits } from './limits';
