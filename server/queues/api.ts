/**
 * The queues API for provisioning from telephony systems (API key): list, read, and an
 * idempotent PUT that creates (201) or updates (200) a queue; a different site relocates
 * it from now. JSON in, JSON out.
 */
import type { Request, Response } from 'express';
import { actorOf } from '../audit';
import { inputOf } from '../http/validate';
import type { Queue } from './records';
import type { QueueBody } from './schemas';
import { getQueue, listQueues, upsertQueue } from './service';

/** The JSON shape of a queue: its site now, its history and its survey settings. */
export function queueJson(queue: Queue) {
  const { code, name, site, assignments, survey, createdAt, updatedAt } = queue;
  return { code, name, site, assignments, survey, createdAt, updatedAt };
}

// GET /api/v1/queues: every queue, by code.
export async function listQueuesApi(_req: Request, res: Response): Promise<void> {
  res.json({ queues: (await listQueues()).map(queueJson) });
}

// GET /api/v1/queues/:code: one queue, or 404.
export async function showQueueApi(_req: Request, res: Response): Promise<void> {
  const { params } = inputOf<{ params: { code: string } }>(res);
  res.json({ queue: queueJson(await getQueue(params.code)) });
}

// PUT /api/v1/queues/:code: create (201) or update (200); a new `site` is a relocation from now; repeating changes nothing.
export async function putQueueApi(_req: Request, res: Response): Promise<void> {
  const { params, body } = inputOf<{ params: { code: string }; body: QueueBody }>(res);
  const { queue, created } = await upsertQueue(params.code, body, actorOf(res));
  res.status(created ? 201 : 200).json({ queue: queueJson(queue) });
}
