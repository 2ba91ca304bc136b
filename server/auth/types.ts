/**
 * The shapes other features see of staff access: roles, the signed-in staff user and
 * the API key of a machine caller, plus what auth puts on res.locals. Models and
 * services live beside this file; features import them through ./index.ts only.
 */
import type { Locale } from '../i18n';

export type Role = 'admin' | 'quality';
export const ROLES: readonly Role[] = ['admin', 'quality'];

export interface StaffUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** Site codes a quality lead may see; empty = every site; admins see all. */
  sites: string[];
  locale: Locale;
}

export interface ApiKeyCaller {
  id: string;
  name: string;
}

declare module 'express-serve-static-core' {
  interface Locals {
    /** The signed-in staff user: always set behind requireStaff(); elsewhere undefined when nobody is signed in. */
    user: StaffUser;
    /** The calling API key: set behind requireApiKey(). */
    apiKey: ApiKeyCaller;
    /** The CSRF token for forms (`_csrf`) and the X-CSRF-Token header, whenever a session exists. */
    csrfToken: string;
  }
}
