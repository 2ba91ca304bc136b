/**
 * The request log: one line per finished request with its id (echoed as X-Request-Id),
 * method, scrubbed URL, status and time; a 5xx at error level with its error; nothing for
 * /healthz; and handlers' own lines carrying the request.
 */
import { Writable } from 'node:stream';
import { Router } from 'express';
import request from 'supertest';
import { createApp } from '../../server/app';
import { createLogger } from '../../server/logger';
import { testConfig } from '../helpers/app';
import { probeRoutes } from '../helpers/probes';
import { removeTempDirs } from '../helpers/tmp';

afterAll(removeTempDirs);

type Line = { level: number; msg: string; req?: { id?: string; method?: string; url?: string }; res?: { statusCode?: number }; responseTime?: unknown; err?: { message?: string; stack?: string } };
const lines: Line[] = [];
const logger = createLogger({ logLevel: 'info' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(JSON.parse(chunk.toString()) as Line), done()) }));

const ownLine = Router().get('/s/:token/probe-log', (req, res) => {
  req.log.info({ step: 'probe' }, 'handler line');
  res.json({ ok: true });
});
const app = createApp({ config: testConfig(), logger, health: () => ({ status: 'ok', db: 'embedded' }), routers: [probeRoutes(), ownLine] });

/** The lines written for one request (the log is written as the response finishes). */
async function linesOf(send: () => Promise<{ headers: Record<string, string> }>): Promise<{ id: string; lines: Line[] }> {
  const from = lines.length;
  const res = await send();
  await new Promise((resolve) => setImmediate(resolve));
  return { id: res.headers['x-request-id'] as string, lines: lines.slice(from) };
}

describe('the request log', () => {
  it('writes one line per request: its id, method, URL, status and time', async () => {
    const { id, lines: written } = await linesOf(() => request(app).get('/no/such/page?lang=en'));
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ level: 30, msg: 'request completed', req: { id, method: 'GET', url: '/no/such/page?lang=en' }, res: { statusCode: 404 } });
    expect(typeof written[0]!.responseTime).toBe('number');
  });

  it('keeps a sane X-Request-Id from the caller', async () => {
    const { id, lines: written } = await linesOf(() => request(app).get('/no/such/page').set('X-Request-Id', 'lb-42'));
    expect(id).toBe('lb-42');
    expect(written[0]?.req?.id).toBe('lb-42');
  });

  it('writes a server error at error level with the error, its stack and the request id', async () => {
    const { id, lines: written } = await linesOf(() => request(app).get('/boom'));
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ level: 50, msg: 'request errored', req: { id, url: '/boom' }, res: { statusCode: 500 }, err: { message: 'secret internal detail' } });
    expect(written[0]!.err?.stack).toContain('secret internal detail');
  });

  it('writes nothing for the health check', async () => {
    const { lines: written } = await linesOf(() => request(app).get('/healthz'));
    expect(written).toEqual([]);
  });

  it('gives handlers a logger whose lines carry the request, with the survey token scrubbed', async () => {
    const { id, lines: written } = await linesOf(() => request(app).get('/s/secret-token-123/probe-log'));
    expect(written.map((l) => l.msg)).toEqual(['handler line', 'request completed']);
    expect(written[0]).toMatchObject({ req: { id, method: 'GET', url: '/s/[redacted]/probe-log' } });
    expect(JSON.stringify(written)).not.toContain('secret-token-123');
  });
});
