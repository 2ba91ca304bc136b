/**
 * Sites, the public surface: read sites (all, by code, those a staff user may see),
 * create and update them (audited), check codes, countries and time zones. The admin
 * and API routers are in routes.ts, mounted by features.ts (not re-exported here: the
 * site page lists queues, and queues import this file).
 */
export { listSites, listSitesFor, getSite, siteByCode, siteCodes, createSite, updateSite, upsertSite, type Site } from './service';
export { siteCode, SITE_CODE, type SiteInput } from './schemas';
export { countryName, isCountryCode } from './countries';
export { canonicalTimeZone, zonedTimeToUtc, utcToZonedParts } from './time-zones';
