/**
 * The sites API for provisioning from telephony systems (API key): list, read, and an
 * idempotent PUT that creates (201) or updates (200) a site. JSON in, JSON out.
 */
import type { Request, Response } from 'express';
import { actorOf } from '../audit';
import { inputOf } from '../http/validate';
import type { SiteInput } from './schemas';
import { getSite, listSites, upsertSite, type Site } from './service';

/** The JSON shape of a site. */
export function siteJson(site: Site) {
  const { code, name, country, timezone, locale, active, createdAt, updatedAt } = site;
  return { code, name, country, timezone, locale, active, createdAt, updatedAt };
}

// GET /api/v1/sites: every site, by code.
export async function listSitesApi(_req: Request, res: Response): Promise<void> {
  res.json({ sites: (await listSites()).map(siteJson) });
}

// GET /api/v1/sites/:code: one site, or 404.
export async function showSiteApi(_req: Request, res: Response): Promise<void> {
  const { params } = inputOf<{ params: { code: string } }>(res);
  res.json({ site: siteJson(await getSite(params.code)) });
}

// PUT /api/v1/sites/:code: create (201) or bring up to date (200); the same PUT twice changes nothing.
export async function putSiteApi(_req: Request, res: Response): Promise<void> {
  const { params, body } = inputOf<{ params: { code: string }; body: SiteInput }>(res);
  const { site, created } = await upsertSite(params.code, body, actorOf(res));
  res.status(created ? 201 : 200).json({ site: siteJson(site) });
}
