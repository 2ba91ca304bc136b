/**
 * The ApiKey model: a machine caller's key, stored as the SHA-256 of the key (keys are
 * long random secrets, so a fast hash is safe and allows lookup), with a visible prefix
 * to tell keys apart, a name, who created it, when it was last used and revoked.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const apiKeySchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 100 },
    /** The first characters of the key, shown in lists (never enough to use it). */
    prefix: { type: String, required: true },
    hash: { type: String, required: true, unique: true },
    createdBy: { type: String, default: null },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

export type ApiKeyDoc = InferSchemaType<typeof apiKeySchema> & { _id: mongoose.Types.ObjectId };

export const ApiKey = mongoose.model('ApiKey', apiKeySchema);
