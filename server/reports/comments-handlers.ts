/**
 * HTTP adapters of the comments page: GET the filtered, paginated list; POST mark handled
 * (a note of at most 1000 characters) or reopen, then back to the same filtered page (PRG).
 * A note too long re-renders the page (422) with the message beside it and the note kept.
 */
import type { Request, Response } from 'express';
import Joi from 'joi';
import { actorOf } from '../audit';
import { checkForm } from '../http/forms';
import { listSitesFor } from '../sites';
import { listComments, markHandled, reopenComment } from './comments';
import { parseResponseFilters, responseParams, SCORES, type PageRequest, type ResponseFilters } from './comments-query';
import { commentViews } from './comments-view';
import { filterQuery, parseReportFilters, type ReportFilters } from './filters';
import { reportPageLocals } from './page';

export const NOTE_MAX = 1000;
const noteForm = Joi.object({ note: Joi.string().trim().allow('').max(NOTE_MAX).default('') });

interface NoteError {
  id: string;
  message: string;
  note: string;
}

async function filtersOf(req: Request, res: Response): Promise<{ f: ReportFilters; rf: ResponseFilters & PageRequest }> {
  const query = req.query as Record<string, unknown>;
  return { f: await parseReportFilters(query, res.locals.user), rf: parseResponseFilters(query) };
}

const cursorText = (c: PageRequest['before']) => (c ? `${c.at.getTime()}.${c.id}` : null);

/** The page's URL parameters: report filters, response filters and, unless `top`, the page position. */
function pageQuery(f: ReportFilters, rf: ResponseFilters & PageRequest, extra: Record<string, string | null> = {}): string {
  return filterQuery(f, { ...responseParams(rf), before: cursorText(rf.before), after: cursorText(rf.after), ...extra });
}

function options(values: readonly string[], current: string | null, label: (v: string) => string) {
  return values.map((value) => ({ value, label: label(value), selected: value === current }));
}

async function renderComments(req: Request, res: Response, noteError?: NoteError): Promise<void> {
  const { user, t, locale } = res.locals;
  const { f, rf } = await filtersOf(req, res);
  const [page, sites, frame] = await Promise.all([
    listComments(f, rf, rf),
    listSitesFor(user),
    reportPageLocals(res, 'comments', f, { keep: responseParams(rf) }),
  ]);
  const items = await commentViews(page.items, new Map(sites.map((s) => [s.code, s])), locale, t);
  const filtered = responseParams(rf);
  res.status(noteError ? 422 : 200).render('reports/comments', {
    title: t('reports.comments.title'),
    ...frame,
    f,
    rf,
    hidden: [...new URLSearchParams(filterQuery(f).slice(1))].map(([name, value]) => ({ name, value })),
    infoChoices: options(['yes', 'no'], rf.info, (v) => t(`reports.comments.info.${v}`)),
    scoreChoices: options(SCORES, rf.score, (v) => t(`reports.comments.scores.${v}`)),
    handledChoices: options(['no', 'yes'], rf.handled, (v) => t(`reports.comments.handledFilter.${v}`)),
    items: items.map((item) => ({ ...item, iso: item.at.toISOString(), noteError: noteError?.id === item.id ? noteError : null })),
    noteError,
    actionQuery: pageQuery(f, rf),
    exportHref: `/reports/responses.csv${filterQuery(f, { ...filtered, text: rf.response ? null : 'yes' })}`,
    olderHref: page.older ? `/reports/comments${filterQuery(f, { ...filtered, before: page.older })}` : null,
    newerHref: page.newer ? `/reports/comments${filterQuery(f, { ...filtered, after: page.newer })}` : null,
    allHref: `/reports/comments${filterQuery(f, { ...filtered, response: null })}`,
  });
}

// GET /reports/comments: the customers' words, newest first, filtered and paginated.
export async function showComments(req: Request, res: Response): Promise<void> {
  await renderComments(req, res);
}

// POST /reports/comments/:id/handled: close the loop with a note, back to the same page.
export async function handleComment(req: Request, res: Response): Promise<void> {
  const id = String(req.params.id);
  const { f, rf } = await filtersOf(req, res);
  const form = checkForm<{ note: string }>(noteForm, req.body, () => res.locals.t('reports.comments.noteTooLong', { max: NOTE_MAX }));
  if (form.errors) {
    const note = typeof (req.body as { note?: unknown })?.note === 'string' ? (req.body as { note: string }).note : '';
    return renderComments(req, res, { id, message: form.errors.note ?? Object.values(form.errors)[0] ?? '', note });
  }
  await markHandled(id, res.locals.user, form.value.note, actorOf(res));
  res.redirect(303, `/reports/comments${pageQuery(f, rf)}#r-${encodeURIComponent(id)}`);
}

// POST /reports/comments/:id/reopen: the comment needs attention again.
export async function reopenHandled(req: Request, res: Response): Promise<void> {
  const id = String(req.params.id);
  const { f, rf } = await filtersOf(req, res);
  await reopenComment(id, res.locals.user, actorOf(res));
  res.redirect(303, `/reports/comments${pageQuery(f, rf)}#r-${encodeURIComponent(id)}`);
}
