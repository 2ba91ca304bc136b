/**
 * Comments, the rules: a page of responses with a text answer, newest first (keyset
 * pagination on updatedAt and _id, 25 a page), and closing the loop on one — marking it
 * handled with a note, or reopening it — scoped to the sites the user may see and audited.
 * Marking does not touch updatedAt: the list stays in the order customers answered.
 */
import { isValidObjectId } from 'mongoose';
import { recordAudit, type AuditActor } from '../audit';
import { canSeeSite, type StaffUser } from '../auth';
import { NotFound } from '../errors';
import { ResponseModel, type ResponseRecord } from '../responses';
import { responseQuery, writeCursor, type PageCursor, type PageRequest, type ResponseFilters } from './comments-query';
import type { ReportFilters } from './filters';

export const PAGE_SIZE = 25;

export type CommentRecord = ResponseRecord & { updatedAt: Date };

export interface CommentPage {
  items: CommentRecord[];
  /** `before` of the next (older) page, `after` of the previous (newer) one; null at either end. */
  older: string | null;
  newer: string | null;
}

// A response is saved after its call ended, and a call ends after local midnight of its day,
// which is at most 14 hours before midnight UTC; two days leave room for clock skew.
const SAVED_AFTER_DAY_MS = 2 * 24 * 3600 * 1000;

/** The newest-first order of the list (or its reverse): updatedAt, then _id. */
function byPosition(direction: 1 | -1) {
  return (a: CommentRecord, b: CommentRecord) =>
    direction * (a.updatedAt.getTime() - b.updatedAt.getTime() || (String(a._id) < String(b._id) ? -1 : String(a._id) > String(b._id) ? 1 : 0));
}

/**
 * The query of one site's walk: equality on the site and bounds on updatedAt first (so the
 * `{ site, updatedAt, _id }` index is read in order from the page position), the keyset
 * tie-break and the response filters as residual conditions.
 */
function siteQuery(base: Record<string, unknown>, site: string, from: Date | null, position: PageCursor | null, backwards: boolean) {
  const query: Record<string, unknown> = { ...base, site };
  const updatedAt: Record<string, Date> = {};
  if (from) updatedAt.$gte = from;
  if (position && backwards) updatedAt.$gte = from && from > position.at ? from : position.at;
  else if (position) updatedAt.$lte = position.at;
  if (Object.keys(updatedAt).length > 0) query.updatedAt = updatedAt;
  if (position) {
    const op = backwards ? '$gt' : '$lt';
    query.$or = [{ updatedAt: { [op]: position.at } }, { updatedAt: position.at, _id: { [op]: position.id } }];
  }
  return query;
}

/**
 * One page of comments. One query a site, each reading its index from the page position and
 * stopping at a page and one, merged here: a page costs about its size times the sites plus
 * what the residual filters (text search, info, score, handled, queues, period) skip.
 */
export async function listComments(f: ReportFilters, rf: ResponseFilters, page: PageRequest): Promise<CommentPage> {
  const base = responseQuery(f, rf, rf.response === null);
  const position = page.after ?? page.before;
  const backwards = page.after !== null;
  const direction = backwards ? 1 : -1;
  const from = rf.response ? null : new Date(Date.parse(`${f.from}T00:00:00Z`) - SAVED_AFTER_DAY_MS);
  const perSite = await Promise.all(
    f.sites.map((site) =>
      ResponseModel.find(siteQuery(base, site, from, position, backwards))
        .sort({ updatedAt: direction, _id: direction })
        .limit(PAGE_SIZE + 1)
        .lean<CommentRecord[]>(),
    ),
  );
  const rows = perSite.flat().sort(byPosition(direction)).slice(0, PAGE_SIZE + 1);
  const more = rows.length > PAGE_SIZE;
  const items = rows.slice(0, PAGE_SIZE);
  if (backwards) items.reverse();
  const first = items[0];
  const last = items.at(-1);
  return {
    items,
    older: last && (backwards || more) ? writeCursor(last.updatedAt, last._id) : null,
    newer: first && (backwards ? more : position !== null) ? writeCursor(first.updatedAt, first._id) : null,
  };
}

/** The response if `user` may see it. Throws NotFound (COMMENT_NOT_FOUND) otherwise: others' sites stay unknown. */
async function visibleResponse(id: string, user: StaffUser): Promise<CommentRecord> {
  const doc = isValidObjectId(id) ? await ResponseModel.findById(id).lean<CommentRecord>() : null;
  if (!doc || !canSeeSite(user, doc.site)) throw new NotFound('There is no such comment among the sites you may see.', { code: 'COMMENT_NOT_FOUND' });
  return doc;
}

/** Marks the response handled by `user` with `note` (replacing an earlier note). Throws NotFound; audited. */
export async function markHandled(id: string, user: StaffUser, note: string, actor: AuditActor, now = new Date()): Promise<void> {
  const before = await visibleResponse(id, user);
  const handled = { at: now, by: user.id, byEmail: user.email, note };
  await ResponseModel.updateOne({ _id: before._id }, { $set: { handled } }, { timestamps: false });
  await recordAudit({ actor, action: 'response.handle', target: { type: 'response', id }, before: { handled: before.handled ?? null }, after: { handled } });
}

/** Clears `handled` so the comment shows as open again. Throws NotFound; audited. */
export async function reopenComment(id: string, user: StaffUser, actor: AuditActor): Promise<void> {
  const before = await visibleResponse(id, user);
  if (!before.handled) return;
  await ResponseModel.updateOne({ _id: before._id }, { $set: { handled: null } }, { timestamps: false });
  await recordAudit({ actor, action: 'response.reopen', target: { type: 'response', id }, before: { handled: before.handled }, after: { handled: null } });
}
