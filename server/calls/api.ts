/**
 * The calls API for telephony systems (API key): post one finished call or a batch of
 * up to 1,000 and get an outcome per call (202), and read a call's decision. The rules
 * are in ingest.ts; this file only reads the body's shape.
 */
import type { Request, Response } from 'express';
import { BadRequest, PayloadTooLarge } from '../errors';
import { inputOf } from '../http/validate';
import { ingestCalls } from './ingest';
import { MAX_BATCH } from './schemas';
import { callJson, getCall } from './service';

/** The items of a body: `{ calls: [...] }` (1 to 1,000) or one call object. Throws BadRequest, PayloadTooLarge. */
export function callsOfBody(body: unknown): unknown[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequest('Send one call as a JSON object, or a batch as { "calls": [ ... ] }.', { code: 'CALLS_BODY' });
  }
  if (!('calls' in body)) return [body];
  const calls = (body as { calls: unknown }).calls;
  if (!Array.isArray(calls) || calls.length === 0) {
    throw new BadRequest(`calls must be an array of 1 to ${MAX_BATCH} calls.`, { code: 'CALLS_BODY' });
  }
  if (calls.length > MAX_BATCH) {
    throw new PayloadTooLarge(`A batch holds at most ${MAX_BATCH} calls (got ${calls.length}); send the rest in another request.`, {
      code: 'BATCH_TOO_LARGE',
    });
  }
  return calls;
}

// POST /api/v1/calls: ingest one call or a batch; 202 with an outcome per call, in input order.
export async function postCallsApi(req: Request, res: Response): Promise<void> {
  const results = await ingestCalls(callsOfBody(req.body), { type: 'api', id: res.locals.apiKey.id });
  res.status(202).json({ results });
}

// GET /api/v1/calls/:externalId: one call and its survey decision, or 404.
export async function showCallApi(_req: Request, res: Response): Promise<void> {
  const { params } = inputOf<{ params: { externalId: string } }>(res);
  res.json({ call: callJson(await getCall(params.externalId)) });
}
