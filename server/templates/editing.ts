/**
 * Changing templates short of publishing: create, save or discard the draft, import a
 * definition, archive and unarchive. Every change is validated (a stored draft is always
 * a valid definition) and audited with before/after. Published versions are not touched.
 */
import { recordAudit, type AuditActor } from '../audit';
import { Conflict, Invalid } from '../errors';
import type { TemplateDefinition } from './definition';
import { Template } from './model';
import type { TemplateWithDraft } from './records';
import { getTemplate, getVersionByNumber, findTemplate } from './service';
import { validateDefinition, type TemplateIssue } from './validate-definition';

const target = (key: string) => ({ type: 'template', id: key });

/** The definition, or Invalid (TEMPLATE_INVALID) listing every issue by path. */
export function validOrThrow(input: unknown): TemplateDefinition {
  const result = validateDefinition(input);
  if (!result.ok) throw invalid(result.issues);
  return result.definition;
}

function invalid(issues: TemplateIssue[]): Invalid {
  return new Invalid('The survey template has errors.', { code: 'TEMPLATE_INVALID', details: issues });
}

function keyIssue(type: 'keyTaken' | 'keyChanged', key: string): TemplateIssue {
  const what = type === 'keyTaken' ? `"${key}" is already the key of another template` : `must stay "${key}": a template's key never changes`;
  return { field: 'key', type: `template.${type}`, message: `key ${what}`, context: { key } };
}

function assertActive(template: TemplateWithDraft): void {
  if (template.status === 'archived') {
    throw new Conflict(`The survey template "${template.key}" is archived; unarchive it to change it.`, { code: 'TEMPLATE_ARCHIVED' });
  }
}

/** The definition a change replaces: the draft, else the latest published one. */
async function currentDefinition(template: TemplateWithDraft): Promise<TemplateDefinition | null> {
  if (template.draft) return template.draft;
  return template.currentVersion > 0 ? (await getVersionByNumber(template.key, template.currentVersion)).definition : null;
}

async function insertTemplate(definition: TemplateDefinition): Promise<void> {
  try {
    await Template.create({ key: definition.key, name: definition.name, draft: definition, draftRevision: 1, draftUpdatedAt: new Date() });
  } catch (err) {
    if ((err as { code?: unknown }).code === 11000) throw invalid([keyIssue('keyTaken', definition.key)]);
    throw err;
  }
}

/** A new template whose draft is `input`. Throws Invalid (issues by path; `key` when taken). */
export async function createTemplate(input: unknown, actor: AuditActor): Promise<TemplateDefinition> {
  const definition = validOrThrow(input);
  if (await findTemplate(definition.key)) throw invalid([keyIssue('keyTaken', definition.key)]);
  await insertTemplate(definition);
  await recordAudit({ actor, action: 'template.create', target: target(definition.key), after: definition });
  return definition;
}

/**
 * Replaces the draft (the next version's working copy) and returns its new revision.
 * `revision`, when given, must be the draft revision the editor showed.
 * Throws Invalid (issues by path), Conflict (TEMPLATE_ARCHIVED, DRAFT_CHANGED), NotFound.
 */
export async function saveDraft(key: string, input: unknown, actor: AuditActor, options: { revision?: number } = {}): Promise<number> {
  const template = await getTemplate(key);
  assertActive(template);
  const definition = validOrThrow(input);
  if (definition.key !== key) throw invalid([keyIssue('keyChanged', key)]);
  if (options.revision !== undefined && options.revision !== template.draftRevision) throw draftChanged(key);
  const before = await currentDefinition(template);
  await writeDraft(template, definition);
  await recordAudit({ actor, action: 'template.update', target: target(key), before, after: definition });
  return template.draftRevision + 1;
}

function draftChanged(key: string): Conflict {
  return new Conflict(`Someone changed the draft of "${key}" in the meantime. Reload it and make your change again.`, { code: 'DRAFT_CHANGED' });
}

/** Compare-and-set on the revision, so two editors cannot overwrite each other unseen. */
async function writeDraft(template: TemplateWithDraft, definition: TemplateDefinition | null): Promise<void> {
  const set = definition
    ? { draft: definition, name: definition.name, draftUpdatedAt: new Date() }
    : { draft: null, draftUpdatedAt: null };
  const result = await Template.updateOne({ key: template.key, draftRevision: template.draftRevision }, { $set: set, $inc: { draftRevision: 1 } });
  if (result.matchedCount === 0) throw draftChanged(template.key);
}

/**
 * Drops the draft, back to the latest published version. Throws Conflict (NO_DRAFT;
 * NEVER_PUBLISHED: a template without versions keeps its draft — archive it instead).
 */
export async function discardDraft(key: string, actor: AuditActor): Promise<void> {
  const template = await getTemplate(key);
  assertActive(template);
  if (!template.draft) throw new Conflict(`The survey template "${key}" has no draft.`, { code: 'NO_DRAFT' });
  if (template.currentVersion < 1) {
    throw new Conflict(`The survey template "${key}" was never published: archive it instead.`, { code: 'NEVER_PUBLISHED' });
  }
  const published = await getVersionByNumber(key, template.currentVersion);
  await writeDraft(template, null);
  await Template.updateOne({ key }, { $set: { name: published.definition.name } });
  await recordAudit({ actor, action: 'template.discard', target: target(key), before: template.draft, after: null });
}

/**
 * A definition in the surveys/ format: a new template (draft), or the draft of the
 * template with that key. Throws Invalid (issues by path), Conflict (TEMPLATE_ARCHIVED).
 */
export async function importTemplate(input: unknown, actor: AuditActor): Promise<{ key: string; created: boolean }> {
  const definition = validOrThrow(input);
  const existing = await findTemplate(definition.key);
  if (existing) {
    assertActive(existing);
    const before = await currentDefinition(existing);
    await writeDraft(existing, definition);
    await recordAudit({ actor, action: 'template.import', target: target(definition.key), before, after: definition });
    return { key: definition.key, created: false };
  }
  await insertTemplate(definition);
  await recordAudit({ actor, action: 'template.import', target: target(definition.key), before: null, after: definition });
  return { key: definition.key, created: true };
}

/**
 * Archived templates are kept with all their versions (responses point at them) but no
 * longer serve new invitations nor take changes. Repeating the same change does nothing.
 */
export async function setArchived(key: string, archived: boolean, actor: AuditActor): Promise<void> {
  const from = archived ? 'active' : 'archived';
  const to = archived ? 'archived' : 'active';
  await getTemplate(key);
  const result = await Template.updateOne({ key, status: from }, { $set: { status: to } });
  if (result.modifiedCount === 0) return;
  await recordAudit({ actor, action: archived ? 'template.archive' : 'template.unarchive', target: target(key), before: { status: from }, after: { status: to } });
}
