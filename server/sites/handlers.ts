/**
 * The admin pages of sites: list, new, edit. Forms follow Post/Redirect/Get; invalid
 * input answers 422 with the form again, each message beside its field and every
 * submitted value kept. The rules are in service.ts.
 */
import type { Request, Response } from 'express';
import { actorOf } from '../audit';
import { checkForm, errorSummary, fieldMessages, serviceFieldErrors, type FieldErrors } from '../http/forms';
import { LOCALES } from '../i18n';
import { queuesAtSite } from '../queues';
import { countryName, countryOptions } from './countries';
import { editSiteForm, newSiteForm, type SiteInput } from './schemas';
import { createSite, getSite, listSites, updateSite } from './service';
import { timeZoneNames } from './time-zones';

type Values = Record<string, unknown>;

function describe(res: Response) {
  return fieldMessages(res.locals.t, res.locals.locale, 'sites');
}

/** Renders the new or edit form with `values` (as submitted or as stored) and field errors. */
function renderForm(res: Response, view: 'new' | 'edit', values: Values, errors: FieldErrors | null, extra: Values = {}): void {
  const { t, locale } = res.locals;
  res.render(`admin/sites/${view}`, {
    title: view === 'new' ? t('sites.newTitle') : t('sites.editTitle', { code: values.code }),
    values,
    errors: errors ?? {},
    summary: errorSummary(errors),
    countries: countryOptions(locale),
    timezones: timeZoneNames(),
    locales: LOCALES.map((value) => ({ value, label: t(`sites.locales.${value}`) })),
    ...extra,
  });
}

// GET /admin/sites: every site with its country, zone, language and status.
export async function showSites(_req: Request, res: Response): Promise<void> {
  const sites = await listSites();
  const { t, locale } = res.locals;
  res.render('admin/sites/list', {
    title: t('sites.title'),
    sites: sites.map((s) => ({ ...s, countryName: countryName(s.country, locale), localeName: t(`sites.locales.${s.locale}`) })),
  });
}

// GET /admin/sites/new: the empty new-site form.
export function showNewSite(_req: Request, res: Response): void {
  renderForm(res, 'new', { country: 'FR', timezone: 'Europe/Paris', locale: 'fr' }, null);
}

// POST /admin/sites: create a site, then go to its page.
export async function submitNewSite(req: Request, res: Response): Promise<void> {
  const form = checkForm<SiteInput & { code: string }>(newSiteForm, req.body, describe(res));
  if (form.errors) return void renderForm(res.status(422), 'new', req.body as Values, form.errors);
  const { code, ...input } = form.value;
  try {
    await createSite(code, input, actorOf(res));
  } catch (err) {
    const errors = serviceFieldErrors(err, describe(res));
    if (!errors) throw err;
    return void renderForm(res.status(422), 'new', req.body as Values, errors);
  }
  res.redirect(303, `/admin/sites/${encodeURIComponent(code)}?saved=created`);
}

// GET /admin/sites/:code: the edit form, and the queues at this site now.
export async function showSite(req: Request, res: Response): Promise<void> {
  const site = await getSite(String(req.params.code));
  const saved = req.query.saved === 'created' || req.query.saved === 'updated' ? req.query.saved : undefined;
  renderForm(res, 'edit', { ...site }, null, { site, queues: await queuesAtSite(site.code), saved });
}

// POST /admin/sites/:code: save the edit form (the code never changes).
export async function submitSite(req: Request, res: Response): Promise<void> {
  const site = await getSite(String(req.params.code));
  const values = { ...(req.body as Values), code: site.code };
  const form = checkForm<SiteInput>(editSiteForm, req.body, describe(res));
  const again = async (errors: FieldErrors) =>
    renderForm(res.status(422), 'edit', values, errors, { site, queues: await queuesAtSite(site.code) });
  if (form.errors) return again(form.errors);
  try {
    await updateSite(site.code, form.value, actorOf(res));
  } catch (err) {
    const errors = serviceFieldErrors(err, describe(res));
    if (!errors) throw err;
    return again(errors);
  }
  res.redirect(303, `/admin/sites/${encodeURIComponent(site.code)}?saved=updated`);
}
