/**
 * The User model: a staff account (admin or quality lead), its site scope, language,
 * password hash (null until the invitation is used), the one-time set-password token
 * (its hash only) and authVersion, bumped to end every session of the account.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const userSchema = new Schema(
  {
    email: { type: String, required: true, unique: true, lowercase: true, trim: true, maxlength: 254 },
    name: { type: String, default: '', trim: true, maxlength: 100 },
    role: { type: String, required: true, enum: ['admin', 'quality'] },
    sites: { type: [String], default: [] },
    locale: { type: String, enum: ['fr', 'en'], default: 'fr' },
    passwordHash: { type: String, default: null },
    disabled: { type: Boolean, default: false },
    authVersion: { type: Number, default: 0 },
    setPassword: {
      type: new Schema({ tokenHash: { type: String, required: true }, expiresAt: { type: Date, required: true } }, { _id: false }),
      default: null,
    },
    lastLoginAt: { type: Date, default: null },
  },
  { timestamps: true },
);
userSchema.index({ 'setPassword.tokenHash': 1 }, { sparse: true });

export type UserDoc = InferSchemaType<typeof userSchema> & { _id: mongoose.Types.ObjectId };

export const User = mongoose.model('User', userSchema);
