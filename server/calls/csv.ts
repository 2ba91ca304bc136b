/**
 * Telephony CSV exports, pure: parsing (csv-parse; comma, semicolon or tab found from
 * the header line; each record's starting line number kept), the columns an import can
 * map, a first guess of the mapping from header names, and turning a row into the call
 * object that ingest checks. Dates without a zone are read in the zone the admin chose.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { zonedInstant } from '../time/local-time';

/** What a CSV column can be mapped to; the starred ones in the form are required. */
export const TARGETS = [
  'externalId',
  'endedAt',
  'site',
  'queue',
  'agent',
  'reason',
  'durationSec',
  'customerEmail',
  'customerName',
  'customerLocale',
] as const;
export type Target = (typeof TARGETS)[number];
export const REQUIRED_TARGETS: readonly Target[] = ['externalId', 'endedAt', 'queue', 'customerEmail'];

/** Target → column index. */
export type Mapping = Partial<Record<Target, number>>;

export interface CsvRow {
  /** Line of the file where the record starts (the header is line 1 in most files). */
  line: number;
  cells: string[];
}

export interface ParsedCsv {
  delimiter: ',' | ';' | '\t';
  headers: string[];
  rows: CsvRow[];
}

export class CsvProblem extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** The delimiter used most on the first line, outside quotes; comma when none is. */
export function detectDelimiter(text: string): ParsedCsv['delimiter'] {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts] += 1;
  }
  const best = (Object.entries(counts) as [ParsedCsv['delimiter'], number][]).sort((a, b) => b[1] - a[1])[0];
  return best && best[1] > 0 ? best[0] : ',';
}

/** Throws CsvProblem (with the line when csv-parse knows it) for a file that is not CSV. */
export function parseCsv(text: string): ParsedCsv {
  const delimiter = detectDelimiter(text.replace(/^\uFEFF/, ''));
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, delimiter, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (err) {
    if (err instanceof CsvError) throw new CsvProblem(err.message, (err as CsvError & { lines?: number }).lines);
    throw err;
  }
  // csv-parse reports the line where a record ends and counts a CRLF inside a quoted cell
  // as two lines; count the breaks inside cells ourselves to get each record's first line.
  let inflation = 0;
  const lines = records.map(({ record, info }) => {
    const breaks = record.reduce((n, cell) => n + (cell.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
    inflation += record.reduce((n, cell) => n + (cell.match(/\r\n/g)?.length ?? 0), 0);
    return info.lines - inflation - breaks;
  });
  const [header, ...body] = records.map(({ record }) => record.map((cell) => cell.trim()));
  if (!header) throw new CsvProblem('The file is empty.');
  return { delimiter, headers: header, rows: body.map((cells, i) => ({ line: lines[i + 1] as number, cells })) };
}

const SYNONYMS: Record<Target, string[]> = {
  externalId: ['externalid', 'id', 'callid', 'idappel', 'appelid', 'identifiantappel', 'identifiant', 'uniqueid', 'reference', 'ref'],
  endedAt: ['endedat', 'end', 'endtime', 'enddate', 'ended', 'fin', 'datefin', 'datedefin', 'heurefin', 'heuredefin', 'finappel', 'findappel', 'date', 'calldate', 'dateappel'],
  site: ['site', 'centre', 'center', 'location'],
  queue: ['queue', 'file', 'fileattente', 'filedattente', 'line', 'ligne', 'service', 'skill'],
  agent: ['agent', 'agentid', 'conseiller', 'advisor', 'operator', 'login'],
  reason: ['reason', 'motif', 'disposition', 'category', 'categorie'],
  durationSec: ['durationsec', 'duration', 'duree', 'dureesec', 'seconds', 'secondes'],
  customerEmail: ['customeremail', 'email', 'mail', 'courriel', 'emailclient', 'clientemail', 'customermail'],
  customerName: ['customername', 'name', 'nom', 'client', 'nomclient', 'clientname', 'customer'],
  customerLocale: ['customerlocale', 'locale', 'language', 'langue', 'lang'],
};

function simplify(header: string): string {
  return header.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Each target mapped to a header that names it: exact synonyms first, then headers that
 * contain a synonym of five letters or more ("Customer e-mail address" → email).
 */
export function guessMapping(headers: readonly string[]): Mapping {
  const simple = headers.map(simplify);
  const mapping: Mapping = {};
  const used = new Set<number>();
  const pass = (matches: (header: string, synonym: string) => boolean) => {
    for (const target of TARGETS) {
      if (mapping[target] !== undefined) continue;
      for (const synonym of SYNONYMS[target]) {
        const index = simple.findIndex((h, i) => !used.has(i) && matches(h, synonym));
        if (index >= 0) {
          mapping[target] = index;
          used.add(index);
          break;
        }
      }
    }
  };
  pass((h, synonym) => h === synonym);
  pass((h, synonym) => synonym.length >= 5 && h.includes(synonym));
  return mapping;
}

const LOCAL_ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
const FRENCH = /^(\d{2})\/(\d{2})\/(\d{4})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A date cell as an ISO instant: values with a zone pass through, "2026-11-20 15:03[:00]"
 * and "20/11/2026 15:03[:00]" are read in `timeZone`. Anything else is returned as is
 * (the call check then names it).
 */
export function readDateCell(value: string, timeZone: string): string {
  const v = value.trim();
  const iso = LOCAL_ISO.exec(v);
  const fr = iso ? null : FRENCH.exec(v);
  const parts = iso ? [iso[1], iso[2], iso[3], iso[4], iso[5], iso[6]] : fr ? [fr[3], fr[2], fr[1], fr[4], fr[5], fr[6]] : null;
  if (!parts) return v;
  const [y, mo, d, h, mi, s] = parts as [string, string, string, string, string, string | undefined];
  const at = zonedInstant(`${y}-${mo}-${d}`, `${h}:${mi}`, timeZone);
  return new Date(at.getTime() + Number(s ?? 0) * 1000).toISOString();
}

/** The call object of one row (empty cells left out), ready for checkCall(). */
export function rowToCall(cells: readonly string[], mapping: Mapping, timeZone: string): Record<string, unknown> {
  const cell = (target: Target) => {
    const index = mapping[target];
    const value = index === undefined ? '' : (cells[index] ?? '').trim();
    return value === '' ? undefined : value;
  };
  const endedAt = cell('endedAt');
  const customer = { email: cell('customerEmail'), name: cell('customerName'), locale: cell('customerLocale') };
  return {
    externalId: cell('externalId'),
    endedAt: endedAt === undefined ? undefined : readDateCell(endedAt, timeZone),
    site: cell('site'),
    queue: cell('queue'),
    agent: cell('agent'),
    reason: cell('reason'),
    durationSec: cell('durationSec'),
    customer,
  };
}
