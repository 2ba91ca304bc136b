/**
 * The audit log, public surface: recordAudit() for any feature that changes settings,
 * templates or accounts, and actorOf(res) to name who did it. The admin page
 * (routes.ts) is mounted by server/features.ts, not re-exported here.
 */
export { recordAudit, actorOf, listAudit, type AuditActor, type AuditInput } from './service';
