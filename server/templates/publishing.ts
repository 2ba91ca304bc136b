/**
 * Publishing: the draft becomes version N+1, a new immutable TemplateVersion, and the
 * template's current version; plus the difference between two definitions that the
 * publish confirmation shows. Versions already published are never rewritten.
 */
import { recordAudit, type AuditActor } from '../audit';
import { Conflict } from '../errors';
import type { Question, TemplateDefinition } from './definition';
import { validOrThrow } from './editing';
import { Template, TemplateVersion } from './model';
import { toPublished, type PublishedVersion, type StoredVersion } from './records';
import { getTemplate, getVersionByNumber } from './service';

/**
 * Publishes the draft as the next version and clears the draft. `revision`, when given,
 * must be the draft revision the confirmation page showed. Throws NotFound, Invalid,
 * Conflict (TEMPLATE_ARCHIVED, NO_DRAFT, DRAFT_CHANGED, VERSION_EXISTS when another publish won).
 */
export async function publish(key: string, actor: AuditActor, options: { revision?: number } = {}): Promise<PublishedVersion> {
  const template = await getTemplate(key);
  if (template.status === 'archived') {
    throw new Conflict(`The survey template "${key}" is archived; unarchive it to publish.`, { code: 'TEMPLATE_ARCHIVED' });
  }
  if (!template.draft) throw new Conflict(`The survey template "${key}" has no draft to publish.`, { code: 'NO_DRAFT' });
  if (options.revision !== undefined && options.revision !== template.draftRevision) {
    throw new Conflict(`The draft of "${key}" changed since you reviewed it. Review it again before publishing.`, { code: 'DRAFT_CHANGED' });
  }
  const definition = validOrThrow(template.draft);
  const previous = template.currentVersion > 0 ? await getVersionByNumber(key, template.currentVersion) : null;
  const published = await insertVersion(definition, template.currentVersion + 1, actor);
  // Clear the draft only if nobody changed it meanwhile; the version number moves on regardless.
  const cleared = await Template.updateOne(
    { key, draftRevision: template.draftRevision },
    { $set: { currentVersion: published.version, draft: null, draftUpdatedAt: null, name: definition.name }, $inc: { draftRevision: 1 } },
  );
  if (cleared.matchedCount === 0) {
    await Template.updateOne({ key, currentVersion: { $lt: published.version } }, { $set: { currentVersion: published.version } });
  }
  await recordAudit({
    actor,
    action: 'template.publish',
    target: { type: 'template', id: key },
    before: previous ? { version: previous.version, definition: previous.definition } : null,
    after: { version: published.version, definition },
  });
  return published;
}

/** Writes a new version; throws Conflict (VERSION_EXISTS) when that number is taken. */
export async function insertVersion(definition: TemplateDefinition, version: number, actor: AuditActor): Promise<PublishedVersion> {
  try {
    const doc = await TemplateVersion.create({ template: definition.key, version, definition, publishedAt: new Date(), publishedBy: actor });
    return toPublished(doc.toObject() as StoredVersion);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 11000) throw err;
    throw new Conflict(`Version ${version} of "${definition.key}" was just published by someone else.`, { code: 'VERSION_EXISTS' });
  }
}

export interface QuestionChange {
  question: Question;
  /** Top-level fields that differ: label, help, type, required, showIf, options... */
  fields: string[];
}

export interface TemplateDiff {
  /** True when there is nothing to compare with (first publication). */
  first: boolean;
  name: boolean;
  intro: boolean;
  added: Question[];
  removed: Question[];
  changed: QuestionChange[];
  /** The questions kept are in a different order. */
  reordered: boolean;
  /** Nothing differs at all. */
  same: boolean;
}

/** What publishing `after` would change compared with `before` (the current version). */
export function diffDefinitions(before: TemplateDefinition | null, after: TemplateDefinition): TemplateDiff {
  const old = new Map((before?.questions ?? []).map((q) => [q.id, q]));
  const now = new Set(after.questions.map((q) => q.id));
  const added = after.questions.filter((q) => !old.has(q.id));
  const removed = (before?.questions ?? []).filter((q) => !now.has(q.id));
  const changed = after.questions.flatMap((q) => {
    const was = old.get(q.id);
    if (!was) return [];
    const keys = [...new Set([...Object.keys(was), ...Object.keys(q)])] as (keyof Question)[];
    const fields = keys.filter((k) => !sameValue(was[k], q[k]));
    return fields.length > 0 ? [{ question: q, fields }] : [];
  });
  const keptBefore = (before?.questions ?? []).map((q) => q.id).filter((id) => now.has(id));
  const keptAfter = after.questions.map((q) => q.id).filter((id) => old.has(id));
  const name = !sameValue(before?.name, after.name);
  const intro = !sameValue(before?.intro, after.intro);
  const reordered = keptBefore.join('\n') !== keptAfter.join('\n');
  const same = before !== null && !name && !intro && !reordered && added.length + removed.length + changed.length === 0;
  return { first: before === null, name, intro, added, removed, changed, reordered, same };
}

/** Deep equality of JSON values, ignoring key order. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
