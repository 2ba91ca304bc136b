/**
 * The audit log, the rules: record an entry (values made safe to store: no secrets,
 * plain JSON), read entries newest first with filters and paging, and tell the actor of
 * a request from what auth put on res.locals.
 */
import type { Response } from 'express';
import { AuditEntry, type AuditEntryDoc } from './model';

export type AuditActor =
  | { type: 'user'; id: string; email: string }
  | { type: 'apiKey'; id: string; name: string }
  | { type: 'system' };

export interface AuditInput {
  actor: AuditActor;
  /** Dotted `<thing>.<verb>`, e.g. 'site.update', 'queue.relocate', 'template.publish'. */
  action: string;
  target: { type: string; id: string };
  before?: unknown;
  after?: unknown;
}

/** Keys never stored in before/after, wherever they appear. */
const SECRET_KEYS = /^(password|passwordHash|hash|token|tokenHash|secret|__v)$/i;

/** Plain JSON without secrets: dates become ISO strings, ObjectIds strings. */
export function sanitize(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const json = JSON.parse(JSON.stringify(value)) as unknown;
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node as Record<string, unknown>)
          .filter(([k]) => !SECRET_KEYS.test(k))
          .map(([k, v]) => [k, strip(v)]),
      );
    }
    return node;
  };
  return strip(json);
}

export async function recordAudit(entry: AuditInput): Promise<void> {
  const { actor } = entry;
  await AuditEntry.create({
    at: new Date(),
    actor: {
      type: actor.type,
      id: actor.type === 'system' ? null : actor.id,
      label: actor.type === 'user' ? actor.email : actor.type === 'apiKey' ? actor.name : null,
    },
    action: entry.action,
    target: { type: entry.target.type, id: String(entry.target.id) },
    before: sanitize(entry.before),
    after: sanitize(entry.after),
  });
}

/** The signed-in user, else the calling API key, else the system. */
export function actorOf(res: Response): AuditActor {
  const { user, apiKey } = res.locals as { user?: { id: string; email: string }; apiKey?: { id: string; name: string } };
  if (user) return { type: 'user', id: user.id, email: user.email };
  if (apiKey) return { type: 'apiKey', id: apiKey.id, name: apiKey.name };
  return { type: 'system' };
}

export interface AuditFilter {
  action?: string;
  targetType?: string;
  /** Matches the actor's email or key name (exact) or id. */
  actor?: string;
}

export const AUDIT_PAGE_SIZE = 50;

/** One page of entries, newest first, and whether an older page exists. */
export async function listAudit(filter: AuditFilter, page = 1): Promise<{ entries: AuditEntryDoc[]; hasMore: boolean }> {
  const query: Record<string, unknown> = {};
  if (filter.action) query.action = filter.action;
  if (filter.targetType) query['target.type'] = filter.targetType;
  if (filter.actor) query.$or = [{ 'actor.label': filter.actor }, { 'actor.id': filter.actor }];
  const rows = await AuditEntry.find(query)
    .sort({ at: -1, _id: -1 })
    .skip((page - 1) * AUDIT_PAGE_SIZE)
    .limit(AUDIT_PAGE_SIZE + 1)
    .lean<AuditEntryDoc[]>();
  return { entries: rows.slice(0, AUDIT_PAGE_SIZE), hasMore: rows.length > AUDIT_PAGE_SIZE };
}

/** The actions and target types seen so far, for the filter menus. */
export async function auditFacets(): Promise<{ actions: string[]; targetTypes: string[] }> {
  const [actions, targetTypes] = await Promise.all([AuditEntry.distinct('action'), AuditEntry.distinct('target.type')]);
  return { actions: (actions as string[]).sort(), targetTypes: (targetTypes as string[]).sort() };
}
