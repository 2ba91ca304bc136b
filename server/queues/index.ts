/**
 * Queues, the public surface: read queues and their survey settings, the site a queue
 * had on a date (calls, reports), relocations (report markers), and the services the
 * admin pages and the API use. Routers are mounted from features.ts.
 */
export { listQueues, listQueuesFor, queuesAtSite, queueByCode, getQueue, createQueue, updateQueue, upsertQueue, type NewQueue, type QueueChanges } from './service';
export { relocateQueue, previewRelocation, cancelScheduledRelocation, siteOfQueueAt, queueAssignments, relocations, type Relocation, type RelocationFilter } from './relocation';
export { siteAt, type Assignment } from './assignments';
export { SURVEY_DEFAULTS, type SurveySettings, type QuietHours } from './survey-settings';
export type { Queue } from './records';
