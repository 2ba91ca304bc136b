/**
 * Rate limits on answering (express-rate-limit, counted in this process): per client
 * address, and per survey link whatever the address, keyed on the token's hash so the
 * token itself is never kept. Over the limit: a 429 page or JSON body from errors.ts.
 * A page's autosave stays well under the per-link limit (public/js/survey-page.js).
 */
import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { AppError } from '../errors';
import type { Logger } from '../logger';

export interface SurveyLimits {
  /** Answers posted per client address per minute (people behind one mobile carrier share addresses). */
  perAddress: number;
  /** Answers posted per survey link per minute (a customer's autosaves and submits). */
  perLink: number;
}

export const SURVEY_LIMITS: SurveyLimits = { perAddress: 120, perLink: 30 };
const WINDOW_MS = 60_000;

export class TooManyAnswers extends AppError {
  constructor() {
    super(429, 'RATE_LIMITED', 'Too many answers were sent in a short time. Please wait a minute and try again.');
  }
}

export function answerLimits(logger: Logger, limits: SurveyLimits = SURVEY_LIMITS): RequestHandler[] {
  const common = {
    windowMs: WINDOW_MS,
    standardHeaders: 'draft-7' as const,
    legacyHeaders: false,
    logger,
    handler: (_req: unknown, _res: unknown, next: (err: unknown) => void) => next(new TooManyAnswers()),
  };
  return [
    rememberClientAddress,
    // Its RateLimit headers would be replaced by the per-link limit's, which runs next: none are made.
    rateLimit({ ...common, limit: limits.perAddress, standardHeaders: false }),
    rateLimit({
      ...common,
      limit: limits.perLink,
      keyGenerator: (req) => `link:${createHash('sha256').update(String(req.params.token)).digest('hex')}`,
    }),
  ];
}

/**
 * Express works `req.ip` out again (X-Forwarded-For through the trust rule) on every read,
 * and the two limits read it three times: the first read is kept for the request.
 */
const rememberClientAddress: RequestHandler = (req, _res, next) => {
  Object.defineProperty(req, 'ip', { get: firstClientAddress, configurable: true, enumerable: true });
  next();
};

function firstClientAddress(this: Request): string | undefined {
  const ip = Reflect.get(Object.getPrototypeOf(this) as object, 'ip', this) as string | undefined;
  Object.defineProperty(this, 'ip', { value: ip, configurable: true, enumerable: true });
  return ip;
}
