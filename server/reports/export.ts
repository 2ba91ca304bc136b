/**
 * The CSV export of responses: one row per response, streamed from a MongoDB cursor
 * through csv-stringify to the HTTP response (pipeline: backpressure from the client
 * reaches the cursor, and a client that goes away stops the query), so a million rows
 * never sit in memory. Columns: the call's context, then one column per question id of
 * the template versions involved (looked up first: the header comes before any row),
 * then the headline fields. Cells a spreadsheet would run as a formula are defused.
 */
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { ResponseModel, type ResponseRecord } from '../responses';
import { getVersion, type PublishedVersion } from '../templates';

// Fixed column names all hold an underscore, which question ids never do: no clash, whatever the template.
export const CONTEXT_COLUMNS = [
  'response_id', 'submitted_at', 'updated_at', 'call_day', 'call_site', 'call_queue', 'call_agent', 'call_reason',
  'template_key', 'template_version', 'survey_locale', 'survey_channel', 'survey_complete',
] as const;
export const HEADLINE_COLUMNS = ['got_information', 'csat_score', 'nps_score', 'ces_score', 'handled_at', 'handled_note'] as const;

/** The responses' {day, site, queue} index, and the rows' order. */
const CALL_DAY_ORDER = { day: 1, site: 1, queue: 1 } as const;
/** Documents per round trip to the database. */
const BATCH_SIZE = 1000;
/** Characters that make Excel, LibreOffice or Sheets read a cell as a formula (the fullwidth forms too). */
const FORMULA_START = /^[\s]*[=+\-@＝＋－＠]|^[\t\r]/;

/** The cell as text, with a leading apostrophe when a spreadsheet would run it as a formula. */
export function safeCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * The question ids of the template versions the matching responses answered, each once:
 * versions by template key then number, questions in their order. Unknown versions are skipped.
 */
export async function questionColumns(query: Record<string, unknown>): Promise<string[]> {
  const ids = (await ResponseModel.distinct('templateVersionId', query)) as string[];
  const versions = (await Promise.all(ids.map((id) => getVersion(id).catch(() => null)))).filter((v): v is PublishedVersion => v !== null);
  versions.sort((a, b) => a.key.localeCompare(b.key) || a.version - b.version);
  return [...new Set(versions.flatMap((v) => v.definition.questions.map((q) => q.id)))];
}

const iso = (d: Date | null | undefined) => (d instanceof Date ? d.toISOString() : '');
const num = (n: number | null | undefined) => (typeof n === 'number' ? String(n) : '');

/** An answer as text: "yes"/"no", a number, option ids joined by "|", or the text as typed. */
function answerCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.map(String).join('|') : String(value);
}

type ExportedResponse = ResponseRecord & { updatedAt: Date };

export function rowOf(r: ExportedResponse, questions: string[]): string[] {
  const answers = (r.answers ?? {}) as Record<string, unknown>;
  const cells = [
    String(r._id), iso(r.submittedAt), iso(r.updatedAt), r.day, r.site, r.queue, r.agent ?? '', r.reason ?? '',
    r.templateKey, r.templateVersionId, r.locale, r.channel, r.complete ? 'true' : 'false',
    ...questions.map((q) => answerCell(answers[q])),
    r.gotInformation === null || r.gotInformation === undefined ? '' : r.gotInformation ? 'yes' : 'no',
    num(r.csat), num(r.nps), num(r.ces), iso(r.handled?.at), r.handled?.note ?? '',
  ];
  return cells.map(safeCell);
}

export interface CsvOptions {
  /** A UTF-8 byte order mark first, so Excel reads accents right. */
  bom: boolean;
  delimiter: ',' | ';';
}

/**
 * Writes the CSV of the responses matching `query` to `out` in call-day order (day, site,
 * queue), counting rows in `progress`. With a period the {day, site, queue} index is
 * hinted: MongoDB reads rows in that order and hands them out as it goes, with no sort
 * holding them all in memory. The first batch is read before `onStart()` and the first
 * byte, so a query that fails still gets a proper error answer. Later, rejects when `out`
 * closes early (the client went away) or the database fails; the cursor is closed either way.
 */
export async function writeResponsesCsv(
  query: Record<string, unknown>,
  questions: string[],
  out: Writable,
  options: CsvOptions,
  progress: { rows: number } = { rows: 0 },
  onStart: () => void = () => undefined,
): Promise<void> {
  const find = ResponseModel.find(query).sort(CALL_DAY_ORDER);
  if (query.day) find.hint(CALL_DAY_ORDER);
  const cursor = find.lean<ExportedResponse>().cursor({ batchSize: BATCH_SIZE });
  try {
    const first = await cursor.next();
    onStart();
    async function* documents() {
      if (first === null) return;
      yield first;
      for await (const doc of cursor) yield doc;
    }
    const toRow = new Transform({
      objectMode: true,
      transform(doc: ExportedResponse, _encoding, done) {
        progress.rows += 1;
        done(null, rowOf(doc, questions));
      },
    });
    const csv = stringify({
      header: true,
      columns: [...CONTEXT_COLUMNS, ...questions, ...HEADLINE_COLUMNS],
      bom: options.bom,
      delimiter: options.delimiter,
      record_delimiter: 'windows',
    });
    await pipeline(documents(), toRow, csv, out);
  } finally {
    await cursor.close().catch(() => undefined);
  }
}

/** The failure is the client leaving before the end, not ours. */
export function isClientGone(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE';
}
