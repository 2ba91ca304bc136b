import request from 'supertest';
import { createHealth } from '../../server/http/health';
import { createTestApp } from '../helpers/app';
import { removeTempDirs } from '../helpers/tmp';

afterAll(removeTempDirs);

describe('GET /healthz', () => {
  const health = createHealth();
  const { app } = createTestApp({ health: health.probe });

  it('answers 503 while the app is starting', async () => {
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'starting' });
  });

  it('answers 200 with the kind of database once ready', async () => {
    health.ready('embedded');
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', db: 'embedded' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers 503 once the app is stopping', async () => {
    health.stopping();
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'stopping' });
  });
});
