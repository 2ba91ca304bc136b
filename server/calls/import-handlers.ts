/**
 * The CSV import pages (admins): upload (a file, or text pasted in the box: no
 * JavaScript needed), then one page per import showing the first rows, the column
 * mapping, every row's problem with its line number, the import button, and finally
 * the outcome summary. Forms follow Post/Redirect/Get; the rules are in imports.ts.
 */
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { actorOf } from '../audit';
import { AppError, BadRequest, PayloadTooLarge } from '../errors';
import { errorSummary, type FieldErrors } from '../http/forms';
import { inputOf } from '../http/validate';
import { canonicalTimeZone, listSites } from '../sites';
import { guessMapping, REQUIRED_TARGETS, TARGETS, type Mapping } from './csv';
import { outcomeLabel } from './decision-view';
import { checkImport, createImport, getImport, importRows, PREVIEW_ROWS, runImport, saveMapping } from './imports';
import type { CallImportRecord } from './import-model';
import { OUTCOMES } from './model';

export const MAX_CSV_BYTES = 5 * 1024 * 1024;

/** Reads the multipart upload (the file and the form's fields) so the CSRF check can see `_csrf`. */
export function uploadCsv(): RequestHandler {
  const parse = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_CSV_BYTES, fieldSize: MAX_CSV_BYTES, files: 1, fields: 10 } }).single('file');
  return (req, res, next) =>
    parse(req, res, (err: unknown) => {
      if (!err) return next();
      const code = (err as { code?: string }).code;
      if (code === 'LIMIT_FILE_SIZE' || code === 'LIMIT_FIELD_VALUE') {
        const message = res.locals.t('calls.import.errors.CSV_TOO_BIG');
        return next(new PayloadTooLarge(message, { code: 'CSV_TOO_BIG', details: [{ field: 'file', message }] }));
      }
      // Multer's limits, and busboy's malformed multipart ("Malformed part header", "Unexpected end of form").
      next(new BadRequest(`The upload could not be read: ${(err as Error).message}.`, { code: 'BAD_UPLOAD', cause: err }));
    });
}

/** UTF-8 when it is valid UTF-8, else Windows-1252 (what spreadsheet software often exports in France). */
export function decodeCsv(buffer: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    return new TextDecoder('windows-1252').decode(buffer);
  }
}

function renderStart(res: Response, values: { csv?: string }, errors: FieldErrors | null): void {
  const { t } = res.locals;
  res.render('admin/calls/import', { title: t('calls.import.title'), values, errors: errors ?? {}, summary: errorSummary(errors), maxMb: MAX_CSV_BYTES / 1024 / 1024 });
}

// GET /admin/calls/import: the upload form (file, or paste).
export function showImportStart(_req: Request, res: Response): void {
  renderStart(res, {}, null);
}

// POST /admin/calls/import: store the upload, then go to its preview and mapping.
export async function submitUpload(req: Request, res: Response): Promise<void> {
  const { t } = res.locals;
  const pasted = typeof req.body?.csv === 'string' ? (req.body.csv as string) : '';
  const text = req.file && req.file.size > 0 ? decodeCsv(req.file.buffer) : pasted;
  let id: string;
  try {
    id = await createImport(text, req.file?.originalname ?? null, actorOf(res));
  } catch (err) {
    const detail = uploadProblem(err);
    if (!detail) throw err;
    const message = t(`calls.import.errors.${detail.type}`, { line: detail.line ?? '?', detail: detail.detail ?? '', max: detail.max ?? '' });
    return renderStart(res.status(422), { csv: pasted }, { csv: message });
  }
  res.redirect(303, `/admin/calls/import/${id}`);
}

function uploadProblem(err: unknown): { type: string; line?: number; detail?: string; max?: number } | null {
  if (!(err instanceof AppError) || err.status !== 422 || !Array.isArray(err.details)) return null;
  const detail = err.details[0] as { field?: string; type?: string } | undefined;
  return detail?.field === 'csv' && detail.type ? (detail as { type: string }) : null;
}

/** The mapping form's fields, from a saved or guessed mapping, or from what was just submitted. */
function mappingFields(res: Response, headers: string[], selected: Record<string, string>, errors: FieldErrors) {
  const { t } = res.locals;
  return TARGETS.map((target) => ({
    name: `map_${target}`,
    label: t(`calls.fields.${target}`),
    required: REQUIRED_TARGETS.includes(target),
    error: errors[`map_${target}`],
    options: [
      { value: '', label: t('calls.import.noColumn'), selected: (selected[target] ?? '') === '' },
      ...headers.map((h, i) => ({ value: String(i), label: h || t('calls.import.unnamedColumn', { n: i + 1 }), selected: selected[target] === String(i) })),
    ],
  }));
}

async function renderReview(res: Response, record: CallImportRecord, form?: { selected: Record<string, string>; timeZone: string; errors: FieldErrors }): Promise<void> {
  const { t } = res.locals;
  const id = record._id.toHexString();
  if (record.state === 'done' && record.result) {
    const counts = OUTCOMES.map((o) => ({ label: outcomeLabel(t, o), value: record.result?.counts[o] ?? 0 }));
    const problems = record.result.problems.map((p) => ({ ...p, outcomeLabel: outcomeLabel(t, p.outcome) }));
    return res.render('admin/calls/import-result', { title: t('calls.import.resultTitle'), record, counts, problems });
  }
  const rows = importRows(record);
  const mapping = (record.mapping ?? guessMapping(record.headers)) as Mapping;
  const selected = form?.selected ?? Object.fromEntries(Object.entries(mapping).map(([k, v]) => [k, String(v)]));
  const zones = [...new Set(['UTC', ...(await listSites()).map((s) => s.timezone), form?.timeZone ?? record.timeZone])];
  const checked = record.state === 'mapped' && !form ? await checkImport(record) : null;
  const check = checked && { ...checked, problems: checked.problems.map((p) => ({ ...p, outcomeLabel: outcomeLabel(t, p.outcome) })) };
  res.render('admin/calls/import-review', {
    title: t('calls.import.reviewTitle'),
    id,
    record,
    preview: rows.slice(0, PREVIEW_ROWS),
    fields: mappingFields(res, record.headers, selected, form?.errors ?? {}),
    zones: zones.map((z) => ({ value: z, selected: z === (form?.timeZone ?? record.timeZone) })),
    errors: form?.errors ?? {},
    summary: errorSummary(form?.errors ?? null),
    check,
    running: record.state === 'running',
  });
}

// GET /admin/calls/import/:id: preview, mapping and row check; or the summary once imported.
export async function showImport(_req: Request, res: Response): Promise<void> {
  const { params } = inputOf<{ params: { id: string } }>(res);
  await renderReview(res, await getImport(params.id));
}

// POST /admin/calls/import/:id/mapping: keep the chosen columns, then show every row's check.
export async function submitImportMapping(req: Request, res: Response): Promise<void> {
  const { params } = inputOf<{ params: { id: string } }>(res);
  const body = (req.body ?? {}) as Record<string, unknown>;
  const selected = Object.fromEntries(TARGETS.map((target) => [target, typeof body[`map_${target}`] === 'string' ? String(body[`map_${target}`]) : '']));
  const mapping: Mapping = Object.fromEntries(Object.entries(selected).filter(([, v]) => v !== '').map(([k, v]) => [k, /^\d+$/.test(v) ? Number(v) : -1]));
  const zone = typeof body.timeZone === 'string' ? body.timeZone : '';
  const timeZone = zone === 'UTC' ? 'UTC' : canonicalTimeZone(zone);
  const errors: FieldErrors = {};
  if (!timeZone) errors.timeZone = res.locals.t('calls.import.errors.timeZone');
  try {
    if (timeZone) await saveMapping(params.id, mapping, timeZone);
  } catch (err) {
    if (!(err instanceof AppError) || err.status !== 422 || !Array.isArray(err.details)) throw err;
    for (const d of err.details as { field: string; type: string }[]) errors[`map_${d.field}`] ??= res.locals.t(`calls.import.errors.${d.type}`);
  }
  if (Object.keys(errors).length > 0) {
    return renderReview(res.status(422), await getImport(params.id), { selected, timeZone: zone, errors });
  }
  res.redirect(303, `/admin/calls/import/${params.id}#check`);
}

// POST /admin/calls/import/:id/run: import every row once, then show the summary.
export async function submitImportRun(_req: Request, res: Response): Promise<void> {
  const { params } = inputOf<{ params: { id: string } }>(res);
  try {
    await runImport(params.id, actorOf(res));
  } catch (err) {
    // Pressed twice, or before choosing columns: the import's page says where it stands.
    const code = err instanceof AppError ? err.code : '';
    if (code !== 'IMPORT_DONE' && code !== 'IMPORT_NOT_MAPPED') throw err;
  }
  res.redirect(303, `/admin/calls/import/${params.id}`);
}
