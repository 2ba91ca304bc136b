/**
 * Site rules: list, read, create and update sites, each change audited with before and
 * after. Codes never change once created. An update that changes nothing writes nothing
 * (so PUT is idempotent). Throws NotFound, Invalid, Conflict; never sees req/res.
 */
import { recordAudit, type AuditActor as Actor } from '../audit';
import { visibleSites, type StaffUser } from '../auth';
import { Conflict, Invalid, NotFound } from '../errors';
import type { Locale } from '../i18n';
import { SiteModel, type SiteRecord } from './model';
import { siteBody, siteCode, type SiteInput } from './schemas';

export interface Site {
  code: string;
  name: string;
  country: string;
  timezone: string;
  locale: Locale;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

type Stored = SiteRecord & { __v?: number; createdAt: Date; updatedAt: Date };

const EDITABLE = ['name', 'country', 'timezone', 'locale', 'active'] as const;

function toSite(record: Stored): Site {
  const { code, name, country, timezone, locale, active, createdAt, updatedAt } = record;
  return { code, name, country, timezone, locale: locale as Locale, active, createdAt, updatedAt };
}

/** What the audit log keeps of a site. */
function snapshot(site: Pick<Site, 'code' | (typeof EDITABLE)[number]>) {
  return { code: site.code, name: site.name, country: site.country, timezone: site.timezone, locale: site.locale, active: site.active };
}

/** Throws Invalid (details per field) unless code and input are well-formed; returns them cleaned. */
function checked(code: string, input: SiteInput): { code: string; input: SiteInput } {
  const codeResult = siteCode.required().label('code').validate(code, { errors: { wrap: { label: false } } });
  const inputResult = siteBody.validate(input, { abortEarly: false, stripUnknown: true, errors: { wrap: { label: false } } });
  const details = [...(codeResult.error?.details ?? []), ...(inputResult.error?.details ?? [])].map((d) => ({
    field: d.path.join('.') || 'code',
    message: d.message,
    type: d.type,
  }));
  if (details.length > 0) throw new Invalid(undefined, { details });
  return { code: codeResult.value as string, input: inputResult.value as SiteInput };
}

/** Every site, by code. */
export async function listSites(): Promise<Site[]> {
  const records = await SiteModel.find().sort({ code: 1 }).lean<Stored[]>();
  return records.map(toSite);
}

/** The sites this staff member may see (all for admins and unrestricted quality leads), by code. */
export async function listSitesFor(user: StaffUser): Promise<Site[]> {
  const visible = visibleSites(user);
  if (visible === null) return listSites();
  const records = await SiteModel.find({ code: { $in: visible } }).sort({ code: 1 }).lean<Stored[]>();
  return records.map(toSite);
}

/** The site with this code, or null. */
export async function siteByCode(code: string): Promise<Site | null> {
  const record = await SiteModel.findOne({ code: String(code).toUpperCase() }).lean<Stored>();
  return record ? toSite(record) : null;
}

/** Throws NotFound (SITE_NOT_FOUND) for an unknown code. */
export async function getSite(code: string): Promise<Site> {
  const site = await siteByCode(code);
  if (!site) throw new NotFound(`There is no site ${code}.`, { code: 'SITE_NOT_FOUND' });
  return site;
}

/** Every site code, sorted. */
export async function siteCodes(): Promise<string[]> {
  return (await listSites()).map((site) => site.code);
}

/** Creates an active site (unless input says otherwise). Throws Invalid, or Conflict (SITE_EXISTS) if the code is taken. */
export async function createSite(code: string, input: SiteInput, actor: Actor): Promise<Site> {
  const clean = checked(code, input);
  if (await SiteModel.exists({ code: clean.code })) throw siteExists(clean.code);
  let record: Stored;
  try {
    record = (await SiteModel.create({ ...clean.input, code: clean.code })).toObject() as Stored;
  } catch (err) {
    if ((err as { code?: unknown }).code === 11000) throw siteExists(clean.code);
    throw err;
  }
  const site = toSite(record);
  await recordAudit({ actor, action: 'site.create', target: { type: 'site', id: site.code }, after: snapshot(site) });
  return site;
}

/**
 * Changes a site's fields (not its code). Throws NotFound, Invalid, or Conflict
 * (SITE_CHANGED) if someone else changed it at the same moment. `changed` is false,
 * and nothing is written or audited, when the input matches what is stored.
 */
export async function updateSite(code: string, input: SiteInput, actor: Actor): Promise<{ site: Site; changed: boolean }> {
  const clean = checked(code, input);
  const before = await SiteModel.findOne({ code: clean.code }).lean<Stored>();
  if (!before) throw new NotFound(`There is no site ${clean.code}.`, { code: 'SITE_NOT_FOUND' });
  const changes = Object.fromEntries(
    EDITABLE.filter((key) => clean.input[key] !== undefined && clean.input[key] !== before[key]).map((key) => [key, clean.input[key]]),
  );
  if (Object.keys(changes).length === 0) return { site: toSite(before), changed: false };
  const after = await SiteModel.findOneAndUpdate(
    { code: clean.code, __v: before.__v ?? 0 },
    { $set: changes, $inc: { __v: 1 } },
    { returnDocument: 'after' },
  ).lean<Stored>();
  if (!after) throw new Conflict(`Site ${clean.code} was changed by someone else; reload and try again.`, { code: 'SITE_CHANGED' });
  const site = toSite(after);
  await recordAudit({
    actor,
    action: 'site.update',
    target: { type: 'site', id: site.code },
    before: snapshot(toSite(before)),
    after: snapshot(site),
  });
  return { site, changed: true };
}

/** PUT semantics: creates the site or brings it to `input`. Repeating the same call changes nothing. */
export async function upsertSite(code: string, input: SiteInput, actor: Actor): Promise<{ site: Site; created: boolean }> {
  const clean = checked(code, input);
  if (!(await SiteModel.exists({ code: clean.code }))) {
    try {
      return { site: await createSite(clean.code, clean.input, actor), created: true };
    } catch (err) {
      // Two identical PUTs racing: the loser updates what the winner created.
      if (!(err instanceof Conflict)) throw err;
    }
  }
  return { site: (await updateSite(clean.code, clean.input, actor)).site, created: false };
}

function siteExists(code: string): Conflict {
  return new Conflict(`A site with code ${code} already exists.`, { code: 'SITE_EXISTS', details: [{ field: 'code', type: 'SITE_EXISTS', message: `A site with code ${code} already exists.` }] });
}
