/**
 * Reading templates: the published version a new invitation uses, the exact version a
 * response points at, lists for the editor, the working copy, exports. Changes
 * (drafts, publishing, archiving, import) are in editing.ts and publishing.ts.
 */
import { isValidObjectId } from 'mongoose';
import { Gone, NotFound } from '../errors';
import type { TemplateDefinition } from './definition';
import { Template, TemplateVersion } from './model';
import {
  toPublished,
  toSummary,
  toTemplateWithDraft,
  type PublishedVersion,
  type StoredTemplate,
  type StoredVersion,
  type TemplateSummary,
  type TemplateWithDraft,
} from './records';

export async function findTemplate(key: string): Promise<TemplateWithDraft | null> {
  const doc = await Template.findOne({ key }).lean<StoredTemplate>();
  return doc ? toTemplateWithDraft(doc) : null;
}

/** Throws NotFound (TEMPLATE_NOT_FOUND). */
export async function getTemplate(key: string): Promise<TemplateWithDraft> {
  const template = await findTemplate(key);
  if (!template) throw new NotFound(`There is no survey template "${key}".`, { code: 'TEMPLATE_NOT_FOUND' });
  return template;
}

/** Every template, active ones first, then by key. */
export async function listTemplates(): Promise<TemplateSummary[]> {
  const docs = await Template.find().sort({ key: 1 }).lean<StoredTemplate[]>();
  const summaries = docs.map(toSummary);
  return [...summaries.filter((t) => t.status === 'active'), ...summaries.filter((t) => t.status !== 'active')];
}

/**
 * The latest published version of an active template: what a new invitation uses.
 * Throws NotFound (TEMPLATE_NOT_FOUND, TEMPLATE_NOT_PUBLISHED) or Gone (TEMPLATE_ARCHIVED).
 */
export async function getPublished(key: string): Promise<PublishedVersion> {
  const template = await getTemplate(key);
  if (template.status === 'archived') {
    throw new Gone(`The survey template "${key}" is archived.`, { code: 'TEMPLATE_ARCHIVED' });
  }
  if (template.currentVersion < 1) {
    throw new NotFound(`The survey template "${key}" has no published version yet.`, { code: 'TEMPLATE_NOT_PUBLISHED' });
  }
  return getVersionByNumber(key, template.currentVersion);
}

/**
 * The version a response points at (`versionId`), archived template or not: versions are
 * never changed or deleted. Throws NotFound (VERSION_NOT_FOUND), also for a malformed id.
 */
export async function getVersion(id: string): Promise<PublishedVersion> {
  const doc = isValidObjectId(id) ? await TemplateVersion.findById(id).lean<StoredVersion>() : null;
  if (!doc) throw new NotFound(`There is no survey template version ${id}.`, { code: 'VERSION_NOT_FOUND' });
  return toPublished(doc);
}

/** Throws NotFound (VERSION_NOT_FOUND). */
export async function getVersionByNumber(key: string, version: number): Promise<PublishedVersion> {
  const doc = await TemplateVersion.findOne({ template: key, version }).lean<StoredVersion>();
  if (!doc) throw new NotFound(`The survey template "${key}" has no version ${version}.`, { code: 'VERSION_NOT_FOUND' });
  return toPublished(doc);
}

/** Published versions of a template, newest first. */
export async function listVersions(key: string): Promise<PublishedVersion[]> {
  const docs = await TemplateVersion.find({ template: key }).sort({ version: -1 }).lean<StoredVersion[]>();
  return docs.map(toPublished);
}

/** What the editor starts from: the draft, else the latest published definition. */
export async function workingCopy(key: string): Promise<{ template: TemplateWithDraft; definition: TemplateDefinition; published: PublishedVersion | null }> {
  const template = await getTemplate(key);
  const published = template.currentVersion > 0 ? await getVersionByNumber(key, template.currentVersion) : null;
  const definition = template.draft ?? published?.definition;
  if (!definition) throw new NotFound(`The survey template "${key}" has neither a draft nor a version.`, { code: 'TEMPLATE_EMPTY' });
  return { template, definition, published };
}

/**
 * A definition in the surveys/ file format: a published version, the draft, or (no
 * version given) the latest published one, else the draft. Throws NotFound.
 */
export async function exportTemplate(key: string, version?: number | 'draft'): Promise<{ definition: TemplateDefinition; filename: string }> {
  if (version === 'draft') {
    const template = await getTemplate(key);
    if (!template.draft) throw new NotFound(`The survey template "${key}" has no draft.`, { code: 'NO_DRAFT' });
    return { definition: template.draft, filename: `${key}-draft.json` };
  }
  if (version === undefined) {
    const template = await getTemplate(key);
    return exportTemplate(key, template.currentVersion > 0 ? template.currentVersion : 'draft');
  }
  const found = await getVersionByNumber(key, version);
  return { definition: found.definition, filename: `${key}-v${version}.json` };
}
