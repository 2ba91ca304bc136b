/**
 * Who hears about a site: its quality leads, i.e. active users with the quality role whose
 * site list includes it or is empty (every site). Admins are not alerted nor sent digests:
 * they see everything and would drown in it.
 */
import { canSeeSite, type StaffUser } from '../auth';
import { listUsers, toStaffUser } from '../auth/users';

/** Every active quality lead. */
export async function qualityLeads(): Promise<StaffUser[]> {
  const users = await listUsers();
  return users.filter((u) => u.role === 'quality' && !u.disabled).map(toStaffUser);
}

/** The leads among `leads` who may see `site`. */
export function leadsOfSite(leads: StaffUser[], site: string): StaffUser[] {
  return leads.filter((lead) => canSeeSite(lead, site));
}
