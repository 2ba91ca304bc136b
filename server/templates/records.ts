/**
 * The plain shapes the templates feature hands out (never Mongoose documents), and the
 * conversions from stored documents. Versions carry their _id as `id`: what a response
 * stores as `versionId`.
 */
import type { Types } from 'mongoose';
import type { AuditActor } from '../audit';
import type { Localized, TemplateDefinition } from './definition';

export type TemplateStatus = 'active' | 'archived';

export interface TemplateSummary {
  key: string;
  name: Localized;
  status: TemplateStatus;
  /** The latest published version number; 0 when never published. */
  currentVersion: number;
  hasDraft: boolean;
  draftRevision: number;
  draftUpdatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface TemplateWithDraft extends TemplateSummary {
  draft: TemplateDefinition | null;
}

export interface PublishedVersion {
  /** The TemplateVersion _id as a string: responses point at it. */
  id: string;
  key: string;
  version: number;
  definition: TemplateDefinition;
  publishedAt: Date;
  publishedBy: AuditActor;
}

export interface StoredTemplate {
  key: string;
  name?: { fr?: string | null; en?: string | null } | null;
  status: string;
  currentVersion: number;
  draft?: unknown;
  draftRevision: number;
  draftUpdatedAt?: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoredVersion {
  _id: Types.ObjectId;
  template: string;
  version: number;
  definition: unknown;
  publishedAt: Date;
  publishedBy: unknown;
}

export function toSummary(doc: StoredTemplate): TemplateSummary {
  return {
    key: doc.key,
    name: { fr: doc.name?.fr ?? doc.key, en: doc.name?.en ?? doc.key },
    status: doc.status === 'archived' ? 'archived' : 'active',
    currentVersion: doc.currentVersion,
    hasDraft: doc.draft !== null && doc.draft !== undefined,
    draftRevision: doc.draftRevision,
    draftUpdatedAt: doc.draftUpdatedAt ?? null,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function toTemplateWithDraft(doc: StoredTemplate): TemplateWithDraft {
  return { ...toSummary(doc), draft: (doc.draft as TemplateDefinition | null | undefined) ?? null };
}

export function toPublished(doc: StoredVersion): PublishedVersion {
  return {
    id: doc._id.toString(),
    key: doc.template,
    version: doc.version,
    definition: doc.definition as TemplateDefinition,
    publishedAt: doc.publishedAt,
    publishedBy: doc.publishedBy as AuditActor,
  };
}
