/**
 * The sites an admin can give a quality lead, for checkboxes on the user form (from the
 * sites feature). null when no site exists yet: the form then takes typed codes.
 */
import { listSites } from '../sites';

export async function knownSites(): Promise<{ code: string; name: string }[] | null> {
  const sites = await listSites();
  return sites.length > 0 ? sites.map((s) => ({ code: s.code, name: s.name })) : null;
}
