/**
 * Relocating a queue from its admin page, a first-class action in two steps: the form
 * (site, date, time at the new site, note), then a confirmation page that says what
 * will change; only the confirmed POST moves the queue. Also cancels a scheduled move.
 */
import type { Request, Response } from 'express';
import { actorOf } from '../audit';
import { checkForm, errorSummary, serviceFieldErrors, type FieldErrors } from '../http/forms';
import { formatDate } from '../http/helpers';
import { listSites, zonedTimeToUtc } from '../sites';
import { describe, formField } from './handlers';
import type { Queue } from './records';
import { cancelScheduledRelocation, previewRelocation, relocateQueue } from './relocation';
import { relocateForm } from './schemas';
import { getQueue } from './service';

type Values = Record<string, unknown>;
type RelocateForm = { site: string; date: string; time?: string; note?: string; confirm?: string };

async function renderForm(res: Response, queue: Queue, values: Values, errors: FieldErrors | null): Promise<void> {
  const sites = await listSites();
  const open = queue.assignments[queue.assignments.length - 1];
  const openSite = sites.find((s) => s.code === open?.site);
  res.render('admin/queues/relocate', {
    title: res.locals.t('queues.relocate.title', { name: queue.name }),
    queue,
    siteName: sites.find((s) => s.code === queue.site)?.name ?? queue.site,
    // The earliest acceptable date: after the start of the open assignment.
    after: open ? formatDate(open.from, res.locals.locale, { style: 'datetime', timeZone: openSite?.timezone }) : null,
    sites: sites.filter((s) => s.active && s.code !== open?.site),
    values,
    errors: errors ?? {},
    summary: errorSummary(errors),
  });
}

// GET /admin/queues/:code/relocate: the relocation form.
export async function showRelocate(req: Request, res: Response): Promise<void> {
  const queue = await getQueue(String(req.params.code));
  const prefill = { site: req.query.site, date: req.query.date, time: req.query.time ?? '00:00', note: req.query.note };
  await renderForm(res, queue, Object.fromEntries(Object.entries(prefill).filter(([, v]) => typeof v === 'string')), null);
}

// POST /admin/queues/:code/relocate: without confirm=yes show what will change; with it, move the queue.
export async function submitRelocate(req: Request, res: Response): Promise<void> {
  const queue = await getQueue(String(req.params.code));
  const values = (req.body ?? {}) as Values;
  const form = checkForm<RelocateForm>(relocateForm, req.body, describe(res));
  if (form.errors) return renderForm(res.status(422), queue, values, form.errors);
  const { site, date, time, note, confirm } = form.value;
  const sites = await listSites();
  const target = sites.find((s) => s.code === site);
  const at = zonedTimeToUtc(date, time || '00:00', target?.timezone ?? 'UTC');
  try {
    if (confirm === 'yes') {
      await relocateQueue(queue.code, site, at, actorOf(res), note || undefined);
      return res.redirect(303, `/admin/queues/${encodeURIComponent(queue.code)}?saved=relocated`);
    }
    const plan = await previewRelocation(queue.code, site, at);
    const from = sites.find((s) => s.code === plan.fromSite);
    const { t, locale } = res.locals;
    res.render('admin/queues/confirm-relocation', {
      title: t('queues.relocate.confirmTitle'),
      queue,
      plan,
      fromName: from ? `${from.name} (${from.code})` : (plan.fromSite ?? '—'),
      toName: target ? `${target.name} (${target.code})` : site,
      when: formatDate(at, locale, { style: 'long', timeZone: target?.timezone }),
      timeZone: target?.timezone,
      values: { site, date, time: time || '00:00', note: note ?? '' },
      changeHref: `/admin/queues/${encodeURIComponent(queue.code)}/relocate?${new URLSearchParams({ site, date, time: time || '00:00', note: note ?? '' })}`,
    });
  } catch (err) {
    const errors = serviceFieldErrors(err, describe(res), formField);
    if (!errors) throw err;
    await renderForm(res.status(422), queue, values, errors);
  }
}

// POST /admin/queues/:code/relocation/cancel: undo the scheduled move that has not taken effect.
export async function submitCancelRelocation(req: Request, res: Response): Promise<void> {
  const queue = await getQueue(String(req.params.code));
  await cancelScheduledRelocation(queue.code, actorOf(res));
  res.redirect(303, `/admin/queues/${encodeURIComponent(queue.code)}?saved=cancelled`);
}
