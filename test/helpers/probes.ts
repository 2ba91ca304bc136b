/**
 * Probe routes for plumbing tests: they throw, validate and echo, so the error handler,
 * validate() and the body limits can be checked without any feature or database.
 */
import { Router } from 'express';
import Joi from 'joi';
import { Gone } from '../../server/errors';
import { validate } from '../../server/http/validate';

export function probeRoutes(): Router {
  const router = Router();
  router.get('/boom', () => {
    throw new Error('secret internal detail');
  });
  router.get('/boom-async', async () => {
    await Promise.resolve();
    throw new Error('secret async detail');
  });
  router.get('/api/v1/boom', () => {
    throw new Error('secret api detail');
  });
  // Breaks the layout itself, so the error page cannot render either.
  router.get('/broken-layout', (_req, res) => {
    res.locals.otherLocaleHref = {
      toString() {
        throw new Error('layout failure');
      },
    } as unknown as string;
    throw new Error('first failure');
  });
  router.get('/expired', () => {
    throw new Gone('This survey has expired.', { code: 'INVITATION_EXPIRED' });
  });
  const signup = { body: Joi.object({ email: Joi.string().email().required(), age: Joi.number().integer().min(18) }) };
  router.post('/form', validate(signup), (_req, res) => {
    res.json(res.locals.input.body);
  });
  router.post('/api/v1/form', validate(signup), (_req, res) => {
    res.json(res.locals.input.body);
  });
  router.post('/api/v1/echo', (req, res) => {
    res.json({ size: JSON.stringify(req.body).length });
  });
  router.post('/echo', (req, res) => {
    res.json({ size: JSON.stringify(req.body).length });
  });
  router.get('/dates', (_req, res) => {
    res.render('../test/fixtures/views/dates', { layout: false, timeZone: 'Europe/Paris', when: new Date('2026-11-20T23:30:00Z') });
  });
  return router;
}
