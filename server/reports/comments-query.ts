/**
 * The response filters of the comments page and the CSV exports, on top of the report
 * filters (period, sites, queues, template): answer to the information question, a score
 * band, a text search, handled or not, one response by id (alert links). Parsed with Joi
 * from the URL and turned into a MongoDB filter built only from constants and validated
 * values: user input never becomes an operator, and the search is an escaped regex.
 */
import Joi from 'joi';
import { Types } from 'mongoose';
import { literalPattern } from '../db';
import { Invalid } from '../errors';
import type { ReportFilters } from './filters';

export const SCORES = ['csat-low', 'csat-mid', 'csat-high', 'nps-detractor', 'nps-promoter'] as const;
export type Score = (typeof SCORES)[number];
export type YesNo = 'yes' | 'no';

const SCORE_QUERIES: Record<Score, Record<string, unknown>> = {
  'csat-low': { csat: { $lte: 2 } },
  'csat-mid': { csat: 3 },
  'csat-high': { csat: { $gte: 4 } },
  'nps-detractor': { nps: { $lte: 6 } },
  'nps-promoter': { nps: { $gte: 9 } },
};

export interface ResponseFilters {
  /** Answer to the information question. */
  info: YesNo | null;
  score: Score | null;
  /** Case-insensitive search in the text answers. */
  q: string | null;
  handled: YesNo | null;
  /** One response (the link of an alert): the period does not apply. */
  response: string | null;
}

export const SEARCH_MAX = 200;
const CURSOR = /^\d{1,15}\.[0-9a-f]{24}$/;

const yesNo = Joi.string().trim().lowercase().allow('').valid('yes', 'no', 'any');
const schema = Joi.object({
  info: yesNo.label('info').messages({ 'any.only': 'info must be yes, no or any' }),
  score: Joi.string().trim().allow('', 'any').valid(...SCORES).label('score').messages({ 'any.only': `score must be one of ${SCORES.join(', ')}` }),
  // NUL bytes dropped: nobody types one, and MongoDB refuses a pattern holding one.
  q: Joi.string().replace(/\0/g, '').trim().allow('').max(SEARCH_MAX).label('q').messages({ 'string.max': `the search is limited to ${SEARCH_MAX} characters` }),
  handled: yesNo.label('handled').messages({ 'any.only': 'handled must be yes, no or any' }),
  response: Joi.string().trim().lowercase().allow('').hex().length(24).label('response').messages({ 'string.hex': 'response must be a response id', 'string.length': 'response must be a response id' }),
  before: Joi.string().trim().allow('').pattern(CURSOR).label('before').messages({ 'string.pattern.base': 'before is not a page position' }),
  after: Joi.string().trim().allow('').pattern(CURSOR).label('after').messages({ 'string.pattern.base': 'after is not a page position' }),
}).unknown(true);

/** A position in the newest-first list: the last response's update time and id. */
export interface PageCursor {
  at: Date;
  id: string;
}

export interface PageRequest {
  before: PageCursor | null;
  after: PageCursor | null;
}

const choice = <T extends string>(value: unknown): T | null => (typeof value === 'string' && value !== '' && value !== 'any' ? (value as T) : null);

function readCursor(value: unknown): PageCursor | null {
  if (typeof value !== 'string' || value === '') return null;
  const [ms, id] = value.split('.');
  return { at: new Date(Number(ms)), id: id as string };
}

export function writeCursor(at: Date, id: unknown): string {
  return `${at.getTime()}.${String(id)}`;
}

/** Throws Invalid (INVALID_FILTERS, one detail per field). */
export function parseResponseFilters(query: Record<string, unknown>): ResponseFilters & PageRequest {
  const { value, error } = schema.validate(query, { abortEarly: false, errors: { wrap: { label: false } } });
  if (error) {
    const details = error.details.map((d) => ({ field: d.path.join('.'), message: d.message }));
    throw new Invalid(`These filters cannot be used: ${details.map((d) => d.message).join('; ')}.`, { code: 'INVALID_FILTERS', details });
  }
  const v = value as Record<string, unknown>;
  return {
    info: choice<YesNo>(v.info),
    score: choice<Score>(v.score),
    q: typeof v.q === 'string' && v.q !== '' ? v.q : null,
    handled: choice<YesNo>(v.handled),
    response: choice<string>(v.response),
    before: readCursor(v.before),
    after: readCursor(v.after),
  };
}

/** The MongoDB filter of responses for these filters; `withText`: only responses with a text answer. */
export function responseQuery(f: Pick<ReportFilters, 'from' | 'to' | 'sites' | 'queues' | 'template'>, rf: ResponseFilters, withText: boolean): Record<string, unknown> {
  const query: Record<string, unknown> = { site: { $in: f.sites } };
  if (rf.response) query._id = new Types.ObjectId(rf.response);
  else query.day = { $gte: f.from, $lte: f.to };
  if (f.queues.length > 0) query.queue = { $in: f.queues };
  if (f.template) query.templateKey = f.template;
  const text: Record<string, unknown> = {};
  if (withText) text.$ne = null;
  if (rf.q) Object.assign(text, { $regex: literalPattern(rf.q), $options: 'i' });
  if (Object.keys(text).length > 0) query.text = text;
  if (rf.info) query.gotInformation = rf.info === 'yes';
  if (rf.score) Object.assign(query, SCORE_QUERIES[rf.score]);
  if (rf.handled) query.handled = rf.handled === 'yes' ? { $ne: null } : null;
  return query;
}

/** The response filters as URL parameters (for links and hidden fields); empty ones left out. */
export function responseParams(rf: ResponseFilters): Record<string, string | null> {
  return { info: rf.info, score: rf.score, q: rf.q, handled: rf.handled, response: rf.response };
}
