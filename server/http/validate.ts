/**
 * Request validation at the edge: `validate({ body, params, query })` checks each part
 * with its Joi schema and puts the cleaned values on res.locals.input (never back on
 * req: Express 5's req.query is read-only). Failure throws Invalid with one detail per field.
 */
import type { RequestHandler } from 'express';
import type Joi from 'joi';
import { Invalid } from '../errors';
import './locals';

export interface RequestSchemas {
  body?: Joi.Schema;
  params?: Joi.Schema;
  query?: Joi.Schema;
}

export interface FieldError {
  /** Where the value came from. */
  location: 'body' | 'params' | 'query';
  /** Dotted path inside that part, e.g. `customer.email`. */
  field: string;
  message: string;
  type: string;
}

const PARTS = ['params', 'query', 'body'] as const;

export function validate(schemas: RequestSchemas): RequestHandler {
  return (req, res, next) => {
    const input = { body: req.body as unknown, params: req.params as unknown, query: req.query as unknown };
    const errors: FieldError[] = [];
    for (const part of PARTS) {
      const schema = schemas[part];
      if (!schema) continue;
      const { value, error } = schema.validate(input[part] ?? {}, {
        abortEarly: false,
        stripUnknown: true,
        errors: { wrap: { label: false } },
      });
      if (error) {
        for (const d of error.details) {
          errors.push({ location: part, field: d.path.join('.'), message: d.message, type: d.type });
        }
      } else {
        input[part] = value;
      }
    }
    if (errors.length > 0) throw new Invalid(undefined, { details: errors });
    res.locals.input = input;
    next();
  };
}

/** The validated input of this request, typed by the caller (who wrote the schema). */
export function inputOf<T extends { body?: unknown; params?: unknown; query?: unknown }>(res: {
  locals: { input: unknown };
}): T {
  return res.locals.input as T;
}
