/**
 * URL map and HTTP adapters of the CSV exports, with the filters of the report and
 * comments pages (plus `text=yes`: only responses with a text answer; `sep=semicolon` for
 * spreadsheets set to a French list separator): /reports/responses.csv for signed-in
 * staff (their sites; with a UTF-8 BOM so Excel shows accents), /api/v1/responses.csv
 * for an API key (every site; no BOM, which scripts would have to strip).
 */
import { Router, type Request, type Response } from 'express';
import Joi from 'joi';
import { requireApiKey, type StaffUser } from '../auth';
import { Invalid } from '../errors';
import { parseResponseFilters, responseQuery } from './comments-query';
import { isClientGone, questionColumns, writeResponsesCsv } from './export';
import { parseReportFilters } from './filters';

const optionsSchema = Joi.object({
  text: Joi.string().trim().allow('', 'any').valid('yes').label('text').messages({ 'any.only': 'text must be yes or any' }),
  sep: Joi.string().trim().allow('', 'comma').valid('semicolon').label('sep').messages({ 'any.only': 'sep must be comma or semicolon' }),
}).unknown(true);

function exportOptions(query: Record<string, unknown>): { withText: boolean; delimiter: ',' | ';' } {
  const { value, error } = optionsSchema.validate(query, { abortEarly: false, errors: { wrap: { label: false } } });
  if (error) {
    const details = error.details.map((d) => ({ field: d.path.join('.'), message: d.message }));
    throw new Invalid(`These export options cannot be used: ${details.map((d) => d.message).join('; ')}.`, { code: 'INVALID_FILTERS', details });
  }
  const v = value as { text?: string; sep?: string };
  return { withText: v.text === 'yes', delimiter: v.sep === 'semicolon' ? ';' : ',' };
}

async function sendCsv(req: Request, res: Response, user: StaffUser | null, bom: boolean): Promise<void> {
  const query = req.query as Record<string, unknown>;
  const f = await parseReportFilters(query, user);
  const options = exportOptions(query);
  const filter = responseQuery(f, parseResponseFilters(query), options.withText);
  const questions = await questionColumns(filter);
  const progress = { rows: 0 };
  const start = () =>
    res.status(200).set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="retour-responses-${f.from}-${f.to}.csv"`,
    });
  try {
    await writeResponsesCsv(filter, questions, res, { bom, delimiter: options.delimiter }, progress, start);
    req.log.info({ rows: progress.rows }, 'CSV export sent');
  } catch (err) {
    // Nothing sent yet (the query itself failed): the error handler answers.
    if (!res.headersSent && !res.destroyed) throw err;
    if (isClientGone(err)) {
      req.log.info({ rows: progress.rows }, 'CSV export stopped: the client went away');
      return;
    }
    // Headers are gone: cut the connection so the client cannot take a partial file for a whole one.
    req.log.error({ err, rows: progress.rows }, 'CSV export failed');
    res.destroy();
  }
}

// GET /reports/responses.csv: the signed-in user's export (their sites only).
async function exportForStaff(req: Request, res: Response): Promise<void> {
  await sendCsv(req, res, res.locals.user, true);
}

// GET /api/v1/responses.csv: the same export for an API key (every site).
async function exportForApi(req: Request, res: Response): Promise<void> {
  await sendCsv(req, res, null, false);
}

export function exportRoutes(): Router {
  const router = Router();
  router.get('/reports/responses.csv', exportForStaff);
  router.get('/api/v1/responses.csv', requireApiKey(), exportForApi);
  return router;
}
