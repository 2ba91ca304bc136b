/**
 * Template (one per key: status, latest published version number, the draft being
 * edited) and TemplateVersion (a published definition, never changed or deleted once
 * written: responses point at it by _id). Only service.ts and boot.ts use these models.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { Conflict } from '../errors';

const localized = { fr: { type: String, required: true }, en: { type: String, required: true } };

const templateSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    /** The name of the latest saved definition (draft or published), for lists. */
    name: localized,
    status: { type: String, enum: ['active', 'archived'], required: true, default: 'active' },
    /** Number of the latest published version; 0 until the first publication. */
    currentVersion: { type: Number, required: true, default: 0 },
    /** The working copy (a valid definition) that publishing turns into version currentVersion + 1. */
    draft: { type: Schema.Types.Mixed, default: null },
    /** Bumped by every draft change, so a publish confirms exactly the draft that was reviewed. */
    draftRevision: { type: Number, required: true, default: 0 },
    draftUpdatedAt: { type: Date, default: null },
  },
  { timestamps: true, minimize: false },
);

const versionSchema = new Schema(
  {
    /** The template's key. */
    template: { type: String, required: true },
    version: { type: Number, required: true, min: 1 },
    /** The full definition, in the surveys/ format. */
    definition: { type: Schema.Types.Mixed, required: true },
    publishedAt: { type: Date, required: true },
    /** The audit actor who published it ({ type: 'system' } for surveys/ files). */
    publishedBy: { type: Schema.Types.Mixed, required: true },
  },
  { minimize: false },
);
versionSchema.index({ template: 1, version: 1 }, { unique: true });

// Published versions are immutable: answers were given to exactly this wording.
function refuseChange(): never {
  throw new Conflict('A published template version cannot be changed.', { code: 'VERSION_IMMUTABLE' });
}
versionSchema.pre('save', function () {
  if (!this.isNew) refuseChange();
});
versionSchema.pre(
  ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace', 'deleteOne', 'deleteMany', 'findOneAndDelete'],
  refuseChange,
);
versionSchema.pre(['deleteOne'], { document: true, query: false }, refuseChange);

export type TemplateDoc = InferSchemaType<typeof templateSchema>;
export type TemplateVersionDoc = InferSchemaType<typeof versionSchema>;

export const Template = mongoose.model('Template', templateSchema);
export const TemplateVersion = mongoose.model('TemplateVersion', versionSchema);
