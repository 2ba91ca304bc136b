import request from 'supertest';
import { createTestApp } from '../helpers/app';
import { probeRoutes } from '../helpers/probes';
import { removeTempDirs } from '../helpers/tmp';

afterAll(removeTempDirs);

describe('errors for people (HTML)', () => {
  const { app } = createTestApp({ routers: [probeRoutes()] });

  it('answers an unknown page with the 404 page in French by default', async () => {
    const res = await request(app).get('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('<html lang="fr">');
    expect(res.text).toContain('Page introuvable');
  });

  it('answers the 404 page in English for an English reader', async () => {
    const res = await request(app).get('/no/such/page').set('Accept-Language', 'en-GB,en;q=0.9');
    expect(res.status).toBe(404);
    expect(res.text).toContain('<html lang="en">');
    expect(res.text).toContain('Page not found');
  });

  it('answers a thrown error with the 500 page, a reference and no stack or message', async () => {
    const res = await request(app).get('/boom').set('Accept-Language', 'en');
    expect(res.status).toBe(500);
    expect(res.text).toContain('Something went wrong on our side');
    expect(res.text).toContain(`Reference: ${res.headers['x-request-id']}`);
    expect(res.text).not.toMatch(/secret internal detail|at Layer|\.ts:\d+/);
  });

  it('handles a rejected promise in an async handler the same way', async () => {
    const res = await request(app).get('/boom-async');
    expect(res.status).toBe(500);
    expect(res.text).toContain('Une erreur est survenue de notre côté');
    expect(res.text).not.toContain('secret async detail');
  });

  it('falls back to plain text when the error page itself cannot render', async () => {
    const res = await request(app).get('/broken-layout').set('Accept-Language', 'en');
    expect(res.status).toBe(500);
    expect(res.type).toBe('text/plain');
    expect(res.text).toContain('500 Something went wrong on our side');
    expect(res.text).not.toMatch(/failure/);
  });

  it('answers 410 with the "no longer available" page', async () => {
    const res = await request(app).get('/expired').set('Accept-Language', 'en');
    expect(res.status).toBe(410);
    expect(res.text).toContain('No longer available');
  });

  it('answers invalid form input with 422 and the field messages', async () => {
    const res = await request(app).post('/form').type('form').send({ email: 'nope', age: '12' }).set('Accept-Language', 'en');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Some answers need attention');
    expect(res.text).toContain('email must be a valid email');
    expect(res.text).toContain('age must be greater than or equal to 18');
  });

  it('passes cleaned, converted form input to the handler', async () => {
    const res = await request(app).post('/form').type('form').send({ email: 'a@example.com', age: '30', extra: 'x' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ email: 'a@example.com', age: 30 });
  });
});

describe('errors for programs (JSON under /api)', () => {
  const { app } = createTestApp({ routers: [probeRoutes()] });

  it('answers an unknown API route with a JSON 404', async () => {
    const res = await request(app).get('/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.type).toBe('application/json');
    expect(res.body).toEqual({
      error: { code: 'NOT_FOUND', message: 'No page or endpoint at GET /api/v1/nothing-here.', details: null },
    });
  });

  it('answers a thrown error with a JSON 500 without message or stack', async () => {
    const res = await request(app).get('/api/v1/boom');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'Something went wrong on our side.', details: null } });
  });

  it('answers invalid input with 422 and one detail per field', async () => {
    const res = await request(app).post('/api/v1/form').send({ age: 12 });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('INVALID');
    expect(res.body.error.details).toEqual([
      { location: 'body', field: 'email', message: 'email is required', type: 'any.required' },
      { location: 'body', field: 'age', message: 'age must be greater than or equal to 18', type: 'number.min' },
    ]);
  });

  it('answers malformed JSON with 400', async () => {
    const res = await request(app).post('/api/v1/echo').set('Content-Type', 'application/json').send('{"calls": [');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
  });

  it('answers JSON to a client that asks for JSON outside /api', async () => {
    const res = await request(app).get('/expired').set('Accept', 'application/json');
    expect(res.status).toBe(410);
    expect(res.body.error).toMatchObject({ code: 'INVITATION_EXPIRED', message: 'This survey has expired.' });
  });
});

describe('errors in development', () => {
  const { app } = createTestApp({ env: { NODE_ENV: 'development' }, routers: [probeRoutes()] });

  it('shows the stack of a 500 to the developer', async () => {
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.text).toContain('secret internal detail');
  });
});
