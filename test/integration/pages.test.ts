import request from 'supertest';
import { createTestApp } from '../helpers/app';
import { probeRoutes } from '../helpers/probes';
import { removeTempDirs } from '../helpers/tmp';

afterAll(removeTempDirs);

const { app } = createTestApp({ routers: [probeRoutes()] });

describe('the base layout', () => {
  it('has a language, a viewport, landmarks and a skip link to the main content', async () => {
    const res = await request(app).get('/');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^<!doctype html>/);
    expect(res.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(res.text).toMatch(/<a class="skip-link" href="#main">Aller au contenu principal<\/a>/);
    expect(res.text).toMatch(/<header[^>]*>/);
    expect(res.text).toMatch(/<main id="main"[^>]*>/);
    expect(res.text).toMatch(/<footer[^>]*>/);
    expect(res.text).toMatch(/<nav[^>]*aria-label="Langue"/);
  });

  it('has no inline script, style or event handler (the CSP would block them)', async () => {
    const res = await request(app).get('/');
    expect(res.text).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
  });

  it('links a stylesheet that is served with the right type', async () => {
    const css = await request(app).get('/css/app.css');
    expect(css.status).toBe(200);
    expect(css.type).toBe('text/css');
    expect(css.text).toContain('@import url("base.css")');
    const base = await request(app).get('/css/base.css');
    expect(base.type).toBe('text/css');
    expect(base.text).toContain(':focus-visible');
  });
});

describe('in production', () => {
  const production = createTestApp({
    env: { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(32), PUBLIC_URL: 'https://feedback.example.com' },
  }).app;

  it('renders pages and error pages from cached templates, twice alike', async () => {
    for (let i = 0; i < 2; i += 1) {
      const home = await request(production).get('/').set('Accept-Language', 'en');
      expect(home.text).toContain('<a class="skip-link" href="#main">Skip to main content</a>');
      const missing = await request(production).get('/nowhere');
      expect(missing.status).toBe(404);
      expect(missing.text).toContain('Page introuvable');
    }
  });
});

describe('the reader’s language', () => {
  it('follows Accept-Language', async () => {
    const res = await request(app).get('/').set('Accept-Language', 'en-US,en;q=0.8');
    expect(res.text).toContain('<html lang="en">');
    expect(res.text).toContain('Customer feedback after every call');
    expect(res.headers.vary).toMatch(/Accept-Language/);
  });

  it('switches with ?lang= and remembers the choice in a cookie', async () => {
    const agent = request.agent(app);
    const switched = await agent.get('/?lang=en').set('Accept-Language', 'fr');
    expect(switched.text).toContain('<html lang="en">');
    const later = await agent.get('/').set('Accept-Language', 'fr');
    expect(later.text).toContain('<html lang="en">');
  });

  it('offers a link to the same page in the other language', async () => {
    const res = await request(app).get('/?lang=en');
    expect(res.text).toMatch(/<a href="\/\?lang(=|&#x3D;)fr" hreflang="fr" lang="fr"/);
  });

  it('ignores an unsupported ?lang= value', async () => {
    const res = await request(app).get('/?lang=de').set('Accept-Language', 'en');
    expect(res.text).toContain('<html lang="en">');
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('view helpers', () => {
  it('format dates in the site time zone and numbers in the reader’s locale', async () => {
    const fr = await request(app).get('/dates?lang=fr');
    const text = fr.text.replace(/\s/g, ' ');
    expect(text).toContain('<p class="date">21 nov. 2026, 00:30</p>');
    expect(text).toContain('<p class="montreal">20 nov. 2026</p>');
    expect(text).toContain('<p class="pct">50 %</p>');
    expect(text).toContain('<p class="num">1 234,50</p>');
    expect(text).toContain('<p class="t">Référence : R-1</p>');

    const en = await request(app).get('/dates?lang=en');
    expect(en.text).toContain('<p class="paris">Nov 21, 2026</p>');
    expect(en.text).toContain('<p class="num">1,234.50</p>');
  });

  it('escape what they print', async () => {
    const res = await request(app).get('/dates');
    expect(res.text).toContain('no.such.&lt;key&gt;');
  });
});
