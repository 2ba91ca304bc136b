/**
 * Site scopes: which call-centre sites a staff user may see. Admins see every site; a
 * quality lead sees the sites listed on their account, or every site when the list is empty.
 */
import type { StaffUser } from './types';

export function canSeeSite(user: StaffUser, siteCode: string): boolean {
  const sites = visibleSites(user);
  return sites === null || sites.includes(siteCode);
}

/** The site codes the user may see, or null for every site (use it in a `site: { $in }` filter). */
export function visibleSites(user: StaffUser): string[] | null {
  if (user.role === 'admin' || user.sites.length === 0) return null;
  return [...user.sites];
}
