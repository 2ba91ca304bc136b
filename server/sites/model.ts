/**
 * The Site model: a contact-centre location (CAS, ABV, DRX) that calls, responses and
 * queue assignments point at by code. Other features read sites through index.ts.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const siteSchema = new Schema(
  {
    code: { type: String, required: true, unique: true, immutable: true },
    name: { type: String, required: true },
    country: { type: String, required: true },
    timezone: { type: String, required: true },
    locale: { type: String, required: true, enum: ['fr', 'en'] },
    active: { type: Boolean, required: true, default: true },
  },
  { timestamps: true },
);

export type SiteRecord = InferSchemaType<typeof siteSchema>;
export const SiteModel = mongoose.model('Site', siteSchema);
