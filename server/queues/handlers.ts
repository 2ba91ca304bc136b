/**
 * The admin pages of queues: the list (with each queue's site now and any scheduled
 * move), the new-queue form, and the queue page (site timeline + name and survey
 * settings). Post/Redirect/Get; a 422 re-renders the form with the values kept.
 */
import type { Request, Response } from 'express';
import { actorOf } from '../audit';
import { checkForm, errorSummary, fieldMessages, serviceFieldErrors, type FieldErrors } from '../http/forms';
import { formatDate, formatPercent } from '../http/helpers';
import { listSites, zonedTimeToUtc, type Site } from '../sites';
import { listTemplates, localize } from '../templates';
import { scheduledAssignments } from './assignments';
import type { Queue } from './records';
import { editQueueForm, newQueueForm, surveyFormValues, surveyFromForm, type SurveyForm } from './schemas';
import { createQueue, getQueue, listQueues, updateQueue } from './service';
import { SURVEY_DEFAULTS } from './survey-settings';
import { buildTimeline } from './timeline';

type Values = Record<string, unknown>;
const SAVED = new Set(['created', 'updated', 'relocated', 'cancelled']);

export function describe(res: Response) {
  return fieldMessages(res.locals.t, res.locals.locale, 'queues');
}

/** Service field names (survey.samplingRate) → the form's (samplingPercent). */
export function formField(field: string): string {
  const f = field.replace(/^survey\./, '');
  if (f === 'samplingRate') return 'samplingPercent';
  if (f === 'quietHours.start') return 'quietStart';
  if (f === 'quietHours.end' || f === 'quietHours') return 'quietEnd';
  return f;
}

/** The next move not yet in effect, for the list and the queue page. */
export function nextMove(queue: Queue, sites: Site[], now: Date, res: Response) {
  const next = scheduledAssignments(queue.assignments, now)[0];
  if (!next) return null;
  const site = sites.find((s) => s.code === next.site);
  return { site: next.site, siteName: site?.name ?? next.site, when: formatDate(next.from, res.locals.locale, { style: 'datetime', timeZone: site?.timezone }) };
}

/** The templates a queue may use (active, published), plus `current` so a stored choice always shows. */
async function templateOptions(res: Response, current: unknown) {
  const usable = (await listTemplates()).filter((tpl) => tpl.status === 'active' && tpl.currentVersion > 0);
  const options = usable.map((tpl) => ({ key: tpl.key, name: localize(tpl.name, res.locals.locale) || tpl.key }));
  if (typeof current === 'string' && current && !options.some((o) => o.key === current)) options.push({ key: current, name: current });
  return options;
}

// GET /admin/queues: every queue with its site now, any scheduled move and its sampling.
export async function showQueues(_req: Request, res: Response): Promise<void> {
  const now = new Date();
  const [queues, sites] = await Promise.all([listQueues(now), listSites()]);
  res.render('admin/queues/list', {
    title: res.locals.t('queues.title'),
    queues: queues.map((q) => ({
      ...q,
      siteName: sites.find((s) => s.code === q.site)?.name ?? null,
      next: nextMove(q, sites, now, res),
      sampling: formatPercent(q.survey.samplingRate, res.locals.locale, Number.isInteger(Math.round(q.survey.samplingRate * 1000) / 10) ? 0 : 1),
    })),
  });
}

async function renderNew(res: Response, values: Values, errors: FieldErrors | null): Promise<void> {
  const sites = (await listSites()).filter((s) => s.active);
  const templates = await templateOptions(res, values.template);
  res.render('admin/queues/new', { title: res.locals.t('queues.newTitle'), values, errors: errors ?? {}, summary: errorSummary(errors), sites, templates });
}

// GET /admin/queues/new: the new-queue form with the default survey settings.
export async function showNewQueue(_req: Request, res: Response): Promise<void> {
  await renderNew(res, surveyFormValues(SURVEY_DEFAULTS), null);
}

// POST /admin/queues: create a queue at a site, then go to its page.
export async function submitNewQueue(req: Request, res: Response): Promise<void> {
  const values = (req.body ?? {}) as Values;
  const form = checkForm<SurveyForm & { code: string; name: string; site: string; since?: string }>(newQueueForm, req.body, describe(res));
  if (form.errors) return renderNew(res.status(422), values, form.errors);
  const { code, name, site, since } = form.value;
  try {
    const timeZone = (await listSites()).find((s) => s.code === site)?.timezone ?? 'UTC';
    const start = since ? zonedTimeToUtc(since, '00:00', timeZone) : undefined;
    await createQueue(code, { name, site, since: start, survey: surveyFromForm(form.value) }, actorOf(res));
  } catch (err) {
    const errors = serviceFieldErrors(err, describe(res), formField);
    if (!errors) throw err;
    return renderNew(res.status(422), values, errors);
  }
  res.redirect(303, `/admin/queues/${encodeURIComponent(code)}?saved=created`);
}

async function renderQueue(res: Response, queue: Queue, values: Values, errors: FieldErrors | null, saved?: string): Promise<void> {
  const now = new Date();
  const sites = await listSites();
  const { t, locale } = res.locals;
  res.render('admin/queues/show', {
    title: queue.name,
    queue,
    siteName: sites.find((s) => s.code === queue.site)?.name ?? queue.site,
    next: nextMove(queue, sites, now, res),
    timeline: buildTimeline(queue.assignments, sites, now, locale, t),
    values,
    errors: errors ?? {},
    summary: errorSummary(errors),
    templates: await templateOptions(res, values.template),
    savedMessage: saved && SAVED.has(saved) ? t(`queues.saved.${saved}`) : undefined,
  });
}

// GET /admin/queues/:code: the queue's site timeline and its settings form.
export async function showQueue(req: Request, res: Response): Promise<void> {
  const queue = await getQueue(String(req.params.code));
  await renderQueue(res, queue, { name: queue.name, ...surveyFormValues(queue.survey) }, null, String(req.query.saved ?? ''));
}

// POST /admin/queues/:code: save the name and survey settings (the code and site are not changed here).
export async function submitQueue(req: Request, res: Response): Promise<void> {
  const queue = await getQueue(String(req.params.code));
  const values = (req.body ?? {}) as Values;
  const form = checkForm<SurveyForm & { name: string }>(editQueueForm, req.body, describe(res));
  if (form.errors) return renderQueue(res.status(422), queue, values, form.errors);
  try {
    await updateQueue(queue.code, { name: form.value.name, survey: surveyFromForm(form.value) }, actorOf(res));
  } catch (err) {
    const errors = serviceFieldErrors(err, describe(res), formField);
    if (!errors) throw err;
    return renderQueue(res.status(422), queue, values, errors);
  }
  res.redirect(303, `/admin/queues/${encodeURIComponent(queue.code)}?saved=updated`);
}
