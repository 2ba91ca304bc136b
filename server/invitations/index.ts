/**
 * Invitations, the public surface: create one per surveyed call (ingest), find one by a
 * token (survey, unsubscribe), customer-side state changes, and the dispatch worker that
 * sends invitations and reminders and expires them, and the start-up removal of indexes
 * no longer used. The model stays inside this folder.
 */
export {
  createInvitation,
  createInvitations,
  withdrawInvitations,
  findInvitationByToken,
  markUnsubscribed,
  markOpened,
  markAnswered,
  answeredWrite,
  type NewInvitation,
  type InvitationView,
} from './service';
export { INVITATION_STATES, dropRetiredIndexes, type InvitationState } from './model';
export { startDispatchWorker, type DispatchWorker, type DispatchWorkerDeps } from './worker';
export { DEFAULT_RETRY, retryDelay, type RetryPolicy } from './backoff';
export { runDispatch, type RunningDispatch } from './process';
