/**
 * Staff access, the public surface: roles, the signed-in user, guards for staff pages
 * (requireStaff, requireRole, csrfProtection), the API key guard for /api/v1, and site
 * scopes. Other features import from here only; models and pages stay inside server/auth/.
 */
export type { Role, StaffUser, ApiKeyCaller } from './types';
export { ROLES } from './types';
export { canSeeSite, visibleSites } from './scope';
export { requireStaff, requireRole, csrfProtection } from './guards';
export { requireApiKey } from './api-key-guard';
