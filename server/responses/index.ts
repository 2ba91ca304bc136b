/**
 * Responses, the public surface: the model's shapes for the features that read answers
 * (reports, exports, alerts). Saving answers is the survey's job through this feature's
 * service; nothing else writes responses.
 */
export { ResponseModel, CHANNELS, type Channel, type ResponseRecord } from './model';
