/**
 * CSV import, the rules: store an upload, keep the admin's column mapping, check every
 * row (the same checks as the API, each problem with its line number), then run the
 * import once through ingestCalls and keep a summary. Throws NotFound, Invalid, Conflict.
 */
import { Types } from 'mongoose';
import { recordAudit, type AuditActor } from '../audit';
import { Conflict, Invalid, NotFound } from '../errors';
import { CsvProblem, parseCsv, REQUIRED_TARGETS, rowToCall, TARGETS, type CsvRow, type Mapping, type ParsedCsv } from './csv';
import { CallImportModel, UPLOAD_TTL_MS, type CallImportRecord } from './import-model';
import { ingestCalls } from './ingest';
import { OUTCOMES } from './model';
import { screenCalls } from './screen';

export const MAX_IMPORT_ROWS = 20_000;
export const PREVIEW_ROWS = 10;
/** Rows listed with their problem; the counts cover every row. */
export const MAX_LISTED_PROBLEMS = 1000;

export interface RowProblem {
  line: number;
  externalId: string;
  outcome: 'invalid' | 'duplicate';
  reason: string;
}

function uploadError(type: string, extra: Record<string, unknown> = {}): Invalid {
  return new Invalid(undefined, { code: type, details: [{ field: 'csv', type, message: type, ...extra }] });
}

/** Stores an upload; returns its id. Throws Invalid (CSV_EMPTY, CSV_UNREADABLE with line and detail, CSV_NO_ROWS, CSV_TOO_MANY_ROWS). */
export async function createImport(text: string, filename: string | null, actor: AuditActor): Promise<string> {
  if (text.trim() === '') throw uploadError('CSV_EMPTY');
  let parsed: ParsedCsv;
  try {
    parsed = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvProblem) throw uploadError('CSV_UNREADABLE', { line: err.line ?? null, detail: err.message });
    throw err;
  }
  if (parsed.rows.length === 0) throw uploadError('CSV_NO_ROWS');
  if (parsed.rows.length > MAX_IMPORT_ROWS) throw uploadError('CSV_TOO_MANY_ROWS', { max: MAX_IMPORT_ROWS });
  const record = await CallImportModel.create({
    filename,
    text,
    delimiter: parsed.delimiter,
    headers: parsed.headers,
    rowCount: parsed.rows.length,
    createdBy: actor.type === 'user' ? actor.email : actor.type,
    expiresAt: new Date(Date.now() + UPLOAD_TTL_MS),
  });
  return record.id as string;
}

/** Throws NotFound (IMPORT_NOT_FOUND). */
export async function getImport(id: string): Promise<CallImportRecord> {
  const record = Types.ObjectId.isValid(id) ? await CallImportModel.findById(id).lean<CallImportRecord>() : null;
  if (!record) throw new NotFound('There is no such import; it may have expired.', { code: 'IMPORT_NOT_FOUND' });
  return record;
}

/** The upload's rows; empty once the import has run (the text is gone). */
export function importRows(record: CallImportRecord): CsvRow[] {
  return record.text === null ? [] : parseCsv(record.text).rows;
}

/**
 * Checks and keeps the mapping. Throws Invalid with a detail per target: MAPPING_REQUIRED
 * (a required column is not chosen), MAPPING_TWICE (one column for two targets),
 * MAPPING_COLUMN (no such column); Conflict (IMPORT_DONE) once the import has run.
 */
export async function saveMapping(id: string, mapping: Mapping, timeZone: string): Promise<void> {
  const record = await getImport(id);
  if (record.state === 'done' || record.state === 'running') throw importDone();
  const details: { field: string; type: string; message: string }[] = [];
  const owner = new Map<number, string>();
  for (const target of TARGETS) {
    const column = mapping[target];
    if (column === undefined) {
      if (REQUIRED_TARGETS.includes(target)) details.push({ field: target, type: 'MAPPING_REQUIRED', message: `${target} needs a column` });
    } else if (!Number.isInteger(column) || column < 0 || column >= record.headers.length) {
      details.push({ field: target, type: 'MAPPING_COLUMN', message: `${target}: no such column` });
    } else if (owner.has(column)) {
      details.push({ field: target, type: 'MAPPING_TWICE', message: `${target}: column already used for ${owner.get(column)}` });
    } else {
      owner.set(column, target);
    }
  }
  if (details.length > 0) throw new Invalid(undefined, { details });
  await CallImportModel.updateOne({ _id: record._id }, { $set: { mapping, timeZone, state: 'mapped' } });
}

function callsOf(record: CallImportRecord, rows: CsvRow[]): Record<string, unknown>[] {
  return rows.map((row) => rowToCall(row.cells, (record.mapping ?? {}) as Mapping, record.timeZone));
}

/** Every row checked as the API would, before anything is stored: how many are new and which are not, with lines. */
export async function checkImport(record: CallImportRecord, now = new Date()): Promise<{ total: number; ready: number; problems: RowProblem[]; problemCount: number }> {
  const rows = importRows(record);
  const { verdicts, fresh } = await screenCalls(callsOf(record, rows), now);
  const problems = verdicts.flatMap((v, i) => (v ? [{ line: (rows[i] as CsvRow).line, ...v }] : []));
  return { total: rows.length, ready: fresh.length, problems: problems.slice(0, MAX_LISTED_PROBLEMS), problemCount: problems.length };
}

/**
 * Imports every row once through ingestCalls (source csv/<import id>) and keeps the
 * counts per outcome and the rows not taken. Throws Conflict (IMPORT_DONE) when it
 * already ran or is running, Invalid (IMPORT_NOT_MAPPED) before a mapping is saved.
 */
export async function runImport(id: string, actor: AuditActor): Promise<void> {
  const record = await getImport(id);
  if (record.state === 'uploaded') throw new Invalid('Choose the columns first.', { code: 'IMPORT_NOT_MAPPED' });
  // One run only, even with the button pressed twice.
  const claimed = await CallImportModel.findOneAndUpdate({ _id: record._id, state: 'mapped' }, { $set: { state: 'running' } });
  if (!claimed) throw importDone();
  const rows = importRows(record);
  let outcomes;
  try {
    outcomes = await ingestCalls(callsOf(record, rows), { type: 'csv', id });
  } catch (err) {
    await CallImportModel.updateOne({ _id: record._id }, { $set: { state: 'mapped' } });
    throw err;
  }
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  const problems: RowProblem[] = [];
  outcomes.forEach((o, i) => {
    counts[o.outcome] = (counts[o.outcome] ?? 0) + 1;
    if ((o.outcome === 'invalid' || o.outcome === 'duplicate') && problems.length < MAX_LISTED_PROBLEMS) {
      problems.push({ line: (rows[i] as CsvRow).line, externalId: o.externalId, outcome: o.outcome, reason: o.reason ?? '' });
    }
  });
  await CallImportModel.updateOne(
    { _id: record._id },
    { $set: { state: 'done', text: null, expiresAt: null, result: { counts, problems, finishedAt: new Date() } } },
  );
  await recordAudit({ actor, action: 'calls.import', target: { type: 'callImport', id }, after: { filename: record.filename, rows: rows.length, counts } });
}

function importDone(): Conflict {
  return new Conflict('This import has already run.', { code: 'IMPORT_DONE' });
}
