/**
 * Joi schemas of the staff-access forms and queries, with their TypeScript types, and the
 * i18n key shown beside each field when its value is wrong.
 */
import Joi from 'joi';
import { MIN_PASSWORD_LENGTH } from './passwords';
import { ROLES, type Role } from './types';
import type { Locale } from '../i18n';

export const SITE_CODE = /^[A-Z0-9]{2,10}$/;

const email = Joi.string().trim().lowercase().email({ tlds: false }).max(254).required();
const newPassword = Joi.string().min(MIN_PASSWORD_LENGTH).max(1000).required();

export const loginForm = Joi.object({
  email: Joi.string().trim().max(254).required(),
  password: Joi.string().max(1000).required(),
  next: Joi.string().allow('').max(2000),
});
export type LoginForm = { email: string; password: string; next?: string };

export const passwordForm = Joi.object({
  current: Joi.string().max(1000).required(),
  password: newPassword,
  confirm: Joi.string().valid(Joi.ref('password')).required(),
});
export type PasswordForm = { current: string; password: string; confirm: string };

export const setPasswordForm = Joi.object({
  token: Joi.string().max(200).required(),
  password: newPassword,
  confirm: Joi.string().valid(Joi.ref('password')).required(),
});
export type SetPasswordForm = { token: string; password: string; confirm: string };

export const PASSWORD_KEYS = {
  current: 'auth.errors.currentRequired',
  password: 'auth.errors.passwordTooShort',
  confirm: 'auth.errors.confirmMismatch',
};

/** Site codes from checkboxes (one or many `sites` values) or one comma-separated field. */
const sites = Joi.alternatives()
  .try(Joi.array().items(Joi.string()), Joi.string().allow(''))
  .custom((value: string | string[], helpers) => {
    const list = (Array.isArray(value) ? value : value.split(/[\s,;]+/)).map((s) => s.trim().toUpperCase()).filter(Boolean);
    if (list.some((code) => !SITE_CODE.test(code))) return helpers.error('any.invalid');
    return [...new Set(list)].sort();
  })
  .default([]);

const userFields = {
  name: Joi.string().trim().allow('').max(100).default(''),
  role: Joi.string().valid(...ROLES).required(),
  sites,
  locale: Joi.string().valid('fr', 'en').default('fr'),
};

export const userForm = Joi.object(userFields);
export const inviteForm = Joi.object({ email, ...userFields });
export type UserForm = { name: string; role: Role; sites: string[]; locale: Locale };
export type InviteForm = UserForm & { email: string };

export const USER_KEYS = {
  email: 'auth.errors.email',
  name: 'auth.errors.name',
  role: 'auth.errors.role',
  sites: 'auth.errors.sites',
  locale: 'auth.errors.locale',
};

export const apiKeyForm = Joi.object({ name: Joi.string().trim().min(1).max(100).required() });
export type ApiKeyForm = { name: string };

