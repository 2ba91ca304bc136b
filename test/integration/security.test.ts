import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { fixedHeaders, helmetHeaders, RESOURCE_CSP, securityHeaders } from '../../server/http/security';
import { createTestApp, testConfig } from '../helpers/app';
import { probeRoutes } from '../helpers/probes';
import { removeTempDirs } from '../helpers/tmp';

afterAll(removeTempDirs);

function directives(csp: string): Map<string, string> {
  return new Map(
    csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );
}

const GENERAL_HEADERS = new Set(['content-type', 'content-length', 'etag', 'date', 'connection', 'keep-alive']);

describe('security headers', () => {
  const { app } = createTestApp({ routers: [probeRoutes()] });

  it('sends a strict Content-Security-Policy without inline scripts or styles', async () => {
    const res = await request(app).get('/');
    const csp = directives(res.headers['content-security-policy'] ?? '');
    expect(csp.get('default-src')).toBe("'self'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('style-src')).toBe("'self'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
  });

  it('sends the other protective headers and hides the framework', async () => {
    const res = await request(app).get('/');
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('sends the page policy on error pages, and on any other answer a policy that allows nothing', async () => {
    const page = await request(app).get('/missing');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
    for (const path of ['/api/v1/missing', '/css/app.css']) {
      const res = await request(app).get(path);
      expect(res.headers['content-type']).not.toMatch(/html/);
      expect(res.headers['content-security-policy']).toBe(RESOURCE_CSP);
      expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'cross-origin-resource-policy': 'same-origin', 'referrer-policy': 'no-referrer' });
      // What only a document reads stays off the others.
      expect(res.headers['cross-origin-opener-policy']).toBeUndefined();
      expect(res.headers['x-xss-protection']).toBeUndefined();
    }
  });

  it('keeps the policy a handler set itself on a page', async () => {
    const app = express();
    const headers = securityHeaders(app, testConfig());
    app.use(headers, (_req, res) => void res.set('Content-Security-Policy', "default-src 'none'; sandbox").type('html').send('<p>mail</p>'));
    const res = await request(app).get('/');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
  });

  it('sends exactly the headers helmet sets itself, worked out once', async () => {
    for (const env of [{}, { PUBLIC_URL: 'https://feedback.example.com' }] as Record<string, string>[]) {
      const own = (await request(createTestApp({ env }).app).get('/missing')).headers;
      const direct = express().disable('x-powered-by').use(helmetHeaders(testConfig(env)), (_req, res) => void res.status(404).send('missing'));
      const fromHelmet = Object.entries((await request(direct).get('/missing')).headers).filter(([name]) => !GENERAL_HEADERS.has(name));
      expect(fromHelmet.length).toBeGreaterThanOrEqual(10);
      for (const [name, value] of fromHelmet) expect([name, own[name]]).toEqual([name, value]);
    }
  });

  it('captures a header middleware only when it sets headers and passes on at once', () => {
    const sets: RequestHandler = (_req, res, next) => {
      res.setHeader('X-One', 'a');
      res.setHeader('X-Gone', 'b');
      res.removeHeader('X-Gone');
      res.removeHeader('X-Powered-By');
      next();
    };
    expect(fixedHeaders(sets)).toEqual({ set: [['X-One', 'a']], removed: ['X-Gone', 'X-Powered-By'] });
    expect(() => fixedHeaders((_req, _res, next) => next(new Error('refused')))).toThrow('refused');
    expect(() => fixedHeaders(() => undefined)).toThrow('did not pass the request on');
  });

  it('gives each request an id, or keeps the one the caller sent', async () => {
    const res = await request(app).get('/');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await request(app).get('/').set('X-Request-Id', 'lb-1234');
    expect(echoed.headers['x-request-id']).toBe('lb-1234');
  });

  it('asks browsers for HTTPS only when PUBLIC_URL is https', async () => {
    expect((await request(app).get('/')).headers['strict-transport-security']).toBeUndefined();
    const secure = createTestApp({ env: { PUBLIC_URL: 'https://feedback.example.com' } }).app;
    const res = await request(secure).get('/');
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });
});

describe('body size limits', () => {
  const { app } = createTestApp({ routers: [probeRoutes()] });
  const text = (size: number) => 'x'.repeat(size);

  it('accepts forms up to 100 kB and refuses larger ones with 413', async () => {
    expect((await request(app).post('/echo').type('form').send({ v: text(90_000) })).status).toBe(200);
    const res = await request(app).post('/echo').type('form').send({ v: text(110_000) }).set('Accept-Language', 'en');
    expect(res.status).toBe(413);
    expect(res.text).toContain('Too much data');
  });

  it('refuses JSON over 100 kB outside /api', async () => {
    expect((await request(app).post('/echo').send({ v: text(110_000) })).status).toBe(413);
  });

  it('accepts API JSON up to 5 MB and refuses larger bodies with a JSON 413', async () => {
    expect((await request(app).post('/api/v1/echo').send({ v: text(4_000_000) })).status).toBe(200);
    const res = await request(app).post('/api/v1/echo').send({ v: text(5_300_000) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('cookies and proxies', () => {
  it('sets the language cookie HttpOnly and SameSite, without Secure on plain HTTP', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/?lang=en');
    const cookie = res.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/^lang=en;/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('marks cookies Secure behind an HTTPS proxy it trusts', async () => {
    const { app } = createTestApp({ env: { TRUST_PROXY: 'loopback' } });
    const res = await request(app).get('/?lang=en').set('X-Forwarded-Proto', 'https');
    expect(res.headers['set-cookie']?.[0]).toMatch(/Secure/);
  });

  it('ignores X-Forwarded-Proto from a proxy it does not trust', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/?lang=en').set('X-Forwarded-Proto', 'https');
    expect(res.headers['set-cookie']?.[0]).not.toMatch(/Secure/);
  });

  it('marks cookies Secure whenever PUBLIC_URL is https', async () => {
    const { app } = createTestApp({ env: { PUBLIC_URL: 'https://feedback.example.com' } });
    const res = await request(app).get('/?lang=fr');
    expect(res.headers['set-cookie']?.[0]).toMatch(/Secure/);
  });
});
