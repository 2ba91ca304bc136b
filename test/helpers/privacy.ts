/**
 * Fixtures for the privacy tests (with useTestDatabase() and callsTestKit()): customers whose
 * calls go through the real ingest API, whose invitations a real dispatch worker sends, and
 * who answer on the real survey page; then what is stored about them, the rollups as one
 * table, and a search of every collection for a piece of text.
 */
import type { Express } from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import type { DispatchWorker } from '../../server/invitations';
import { OutboxMessage } from '../../server/mail/outbox-model';
import { DELIVERY_COUNTERS, DailyRollup, RESPONSE_COUNTERS, bucketId, type BucketKey, type Counters, type RollupRecord } from '../../server/rollups';
import { surveyToken } from './dispatch';

type Api = { post(body: unknown): request.Test };

/** Posts one batch of calls; expects 202 and returns each call's outcome. */
export async function ingest(api: Api, ...calls: Record<string, unknown>[]): Promise<string[]> {
  const res = await api.post({ calls });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${res.text}`);
  return (res.body.results as { outcome: string }[]).map((r) => r.outcome);
}

/** Sends every invitation email due by `at` (default: an hour from now, past the 30-minute delay). */
export async function sendDue(worker: DispatchWorker, at = new Date(Date.now() + 3_600_000)): Promise<number> {
  return worker.runOnce(at);
}

/** The survey token of the newest outbox email to `address`. */
export async function outboxToken(address: string): Promise<string> {
  const [message] = await OutboxMessage.find({ to: address }).sort({ createdAt: -1, _id: -1 }).limit(1).lean();
  return surveyToken(message?.text);
}

/** The default survey's answers, with the customer's own words in `missing` and `comment` when given. */
export function surveyAnswers(words?: string): Record<string, unknown> {
  return words ? { info: 'no', missing: `${words} (missing)`, csat: 2, nps: 3, comment: words } : { info: 'yes', csat: 5, nps: 10 };
}

/** Answers the survey as its page's script does (JSON); expects the answers saved. */
export async function answer(app: Express, token: string, answers: Record<string, unknown>): Promise<void> {
  const res = await request(app).post(`/s/${token}`).send({ answers });
  if (res.status !== 200) throw new Error(`the survey answered ${res.status}: ${res.text}`);
}

const COUNTERS = [...DELIVERY_COUNTERS, ...RESPONSE_COUNTERS];

/** Every rollup bucket's counters (absent ones as the zero they are), keyed and sorted by bucket. */
export async function rollupTable(): Promise<Record<string, Counters>> {
  const rows = await DailyRollup.find({}).lean<(RollupRecord & BucketKey)[]>();
  const entries = rows.map((doc) => [bucketId(doc), Object.fromEntries(COUNTERS.map((c) => [c, doc[c] ?? 0])) as Counters] as const);
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** The names of the collections in which `text` appears (any case), anywhere in any document. */
export async function collectionsHolding(text: string): Promise<string[]> {
  const wanted = text.toLowerCase();
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  const found: string[] = [];
  for (const { name } of await db.listCollections().toArray()) {
    const docs = await db.collection(name).find({}).toArray();
    if (JSON.stringify(docs).toLowerCase().includes(wanted)) found.push(name);
  }
  return found.sort();
}

/**
 * Rollups after an erasure against before: only the count of responses with words moved
 * (`texts` down by `fewer`: a comment in its bucket and its coarse bucket), every other
 * counter as it was.
 */
export function expectOnlyTextsRemoved(before: Record<string, Counters>, after: Record<string, Counters>, fewer: number): void {
  const texts = (table: Record<string, Counters>) => Object.values(table).reduce((n, c) => n + c.texts, 0);
  expect(texts(before) - texts(after)).toBe(fewer);
  const withoutTexts = (table: Record<string, Counters>) => Object.fromEntries(Object.entries(table).map(([k, c]) => [k, { ...c, texts: 0 }]));
  expect(withoutTexts(after)).toEqual(withoutTexts(before));
}
