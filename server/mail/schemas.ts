/**
 * Request shapes of the outbox routes: the API's `limit`/`before`, and the admin page number.
 */
import Joi from 'joi';
import { OUTBOX_MAX_LIMIT } from './outbox';

export const outboxApiQuery = Joi.object({
  limit: Joi.number().integer().min(1).max(OUTBOX_MAX_LIMIT).default(50),
  before: Joi.date().iso(),
});
export interface OutboxApiQuery {
  limit: number;
  before?: Date;
}

export const outboxPageQuery = Joi.object({
  page: Joi.number().integer().min(1).max(100_000).default(1),
});
