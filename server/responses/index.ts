/**
 * Responses, the public surface: the model's shapes for the features that read answers
 * (reports, exports, alerts), and saving answers (the survey pages call saveAnswers; the
 * privacy erasure follows the same rollup protocol with markCountedMany).
 */
export { ResponseModel, CHANNELS, type Channel, type ResponseRecord } from './model';
export { saveAnswers, findResponse, markCountedMany, countsSettled, type ResponseContext, type SaveAnswersInput, type SavedResponse } from './service';
export { headlineOf, needsAlert, type Headline } from './headline';
export { keepShown, mergeAnswers } from './merge';
