/**
 * Stored payloads are shown as text wherever they appear. Script and HTML payloads go in
 * through every input someone else reads (admin forms, the API, the CSV import, survey
 * answers, comment notes; test/helpers/fuzz-world.ts); then every page, email and export
 * that shows them is fetched: each payload must appear (as text) and none as markup, CSV
 * cells never start a formula, and in Chromium, with the Content-Security-Policy bypassed so
 * escaping alone is tested, no payload runs and no payload element exists in the page.
 */
import type { Express } from 'express';
import { parse } from 'csv-parse/sync';
import Handlebars from 'handlebars';
import mongoose from 'mongoose';
import request from 'supertest';
import { createMailer } from '../../server/mail';
import { createTestApp } from '../helpers/app';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser';
import { logger } from '../helpers/dispatch';
import { encode, scriptPayloads } from '../helpers/fuzz';
import { useWatchedDatabase } from '../helpers/fuzz-db';
import { unsafeMarkup } from '../helpers/fuzz-html';
import { listen } from '../helpers/fuzz-http';
import { storePayloads, type HostileWorld } from '../helpers/fuzz-world';
import { createApiKey, createStaff, csrfFrom, signIn } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

const watch = useWatchedDatabase();
afterAll(removeTempDirs);
jest.setTimeout(90_000);

const { app, config } = createTestApp();
const served = listen(app);
const asApp = () => served.server() as unknown as Express;
let world: HostileWorld;
let admin: request.Agent;
let lead: request.Agent;
const people = { admin: { email: '', password: '' }, lead: { email: '', password: '' } };
let apiKey = '';

beforeAll(async () => {
  apiKey = await createApiKey('telephony');
  people.admin = await createStaff({ role: 'admin', locale: 'en' });
  people.lead = await createStaff({ role: 'quality', sites: ['ZQ'], locale: 'fr' });
  admin = await signIn(asApp(), people.admin.email, people.admin.password);
  const csrf = csrfFrom((await admin.get('/account')).text);
  const mailer = createMailer(config, logger);
  world = await storePayloads({ app: asApp(), admin, csrf, apiKey, mailer, config });
  lead = await signIn(asApp(), people.lead.email, people.lead.password);
});
afterEach(() => {
  expect(watch.take()).toEqual([]);
});

/** Every page that shows a stored payload, by who may read it. */
async function pagesToCheck(): Promise<{ admin: string[]; lead: string[]; customer: string[] }> {
  const users = await mongoose.connection.collection('users').find({}).toArray();
  // One email of each kind (invitation, reminder, alert, digest): the same views render the others.
  const messages = [...new Map((await mongoose.connection.collection('outboxmessages').find({}).toArray()).map((m) => [m.tag, m])).values()];
  const drill = ['queue', 'agent', 'reason'].map((by) => `/reports/drilldown?site=ZQ&by=${by}`);
  return {
    admin: [
      '/admin/sites', '/admin/sites/ZQ', '/admin/sites/ZQAPI', '/admin/queues', '/admin/queues/zq-queue', '/admin/queues/zq-queue/relocate',
      '/admin/templates', '/admin/templates/zq-survey', '/admin/templates/zq-survey/edit', '/admin/templates/zq-survey/preview/1/fr',
      '/admin/templates/zq-survey/preview/1/en', '/admin/users', ...users.map((u) => `/admin/users/${String(u._id)}`), '/admin/api-keys',
      '/admin/audit', '/admin/calls', '/admin/calls?queue=zq-queue', ...world.externalIds.map((id) => `/admin/calls/${encode(id)}`), world.importPage,
      '/admin/outbox', ...messages.flatMap((m) => [`/admin/outbox/${String(m._id)}`, `/admin/outbox/${String(m._id)}/html`]),
      '/reports', '/reports?site=ZQ', '/reports/sites', '/reports/trends?site=ZQ', ...drill, '/reports/comments?site=ZQ', '/reports/comments?site=ZQ&q=zq', '/account',
    ],
    lead: ['/reports', '/reports/comments', '/reports/comments?handled=yes', ...drill, '/reports/trends'],
    customer: world.tokens.flatMap((t) => [`/s/${t}`, `/s/${t}?edit=1`, `/s/${t}?edit=1&lang=en`, `/u/${t}`]),
  };
}

/** A desktop context that ignores the Content-Security-Policy (escaping alone is under test) and stays on loopback. */
async function unprotectedContext(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', bypassCSP: true });
  context.setDefaultTimeout(10_000);
  await context.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/])/, (route) => route.abort());
  return context;
}

describe('stored payloads', () => {
  it('has a markup check that tells escaped payloads from injected ones', () => {
    const render = (template: string, v: string) => Handlebars.compile(template)({ v });
    for (const payload of scriptPayloads('ctl')) {
      expect(unsafeMarkup(render('<p title="{{v}}">{{v}}</p><textarea>{{v}}</textarea><a href="/x?q={{v}}">x</a>', payload))).toEqual([]);
      if (payload.includes('<')) expect(unsafeMarkup(render('<div>{{{v}}}</div>', payload))).not.toEqual([]);
      if (payload.startsWith('"')) expect(unsafeMarkup(render('<input value="{{{v}}}">', payload))).not.toEqual([]);
      if (payload.startsWith('javascript:')) expect(unsafeMarkup(render('<a href="{{v}}">x</a>', payload))).not.toEqual([]);
    }
  });

  it('shows every stored payload as text, and none as markup, on every page and email that shows it', async () => {
    const pages = await pagesToCheck();
    const seen: string[] = [];
    const check = async (agent: request.Agent, url: string) => {
      const res = await agent.get(url);
      expect(`${url} ${res.status}`).toBe(`${url} 200`);
      expect({ url, unsafe: unsafeMarkup(res.text) }).toEqual({ url, unsafe: [] });
      seen.push(res.text);
    };
    for (const url of pages.admin) await check(admin, url);
    for (const url of pages.lead) await check(lead, url);
    const customer = request.agent(served.server());
    for (const url of pages.customer) await check(customer, url);
    // The emails themselves, as a mail client would render their HTML part.
    for (const message of await mongoose.connection.collection('outboxmessages').find({}).toArray()) {
      expect({ to: message.to, subject: message.subject, unsafe: unsafeMarkup(String(message.html)) }).toEqual({ to: message.to, subject: message.subject, unsafe: [] });
      seen.push(String(message.html), String(message.subject));
    }
    const everything = seen.join('\n');
    const missing = [...new Set(world.stored)].filter((name) => !everything.includes(name));
    expect(missing).toEqual([]);
  });

  it('exports stored payloads as CSV cells that a spreadsheet never runs as a formula', async () => {
    const day = new Date().toISOString().slice(0, 10);
    const staff = await admin.get(`/reports/responses.csv?site=ZQ`);
    const api = await request(served.server()).get(`/api/v1/responses.csv?site=ZQ&from=${day}&to=${day}`).set('Authorization', `Bearer ${apiKey}`);
    for (const res of [staff, api]) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toMatch(/^attachment;/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const rows = parse(res.text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];
      expect(rows.length).toBeGreaterThan(world.tokens.length);
      expect(res.text).toContain('zqformula');
      for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/);
    }
  });

  it('runs no payload and injects no payload element in a real browser, even without the Content-Security-Policy', async () => {
    const pages = await pagesToCheck();
    const browser = await launchBrowser();
    try {
      const probe = async (page: Page) =>
        (await page.evaluate('({ ran: (window.__xss || []).map(String), injected: document.querySelectorAll("[data-fzx]").length })')) as { ran: string[]; injected: number };
      const visit = async (who: 'admin' | 'lead' | 'customer', urls: string[]) => {
        const context = await unprotectedContext(browser);
        const page = await context.newPage();
        // A payload that ran would show here even where the page answered with an error.
        page.on('dialog', (dialog) => void dialog.dismiss());
        if (who !== 'customer') {
          const { email, password } = people[who];
          await page.goto(`${served.url()}/login`);
          await page.locator('input[name="email"]').fill(email);
          await page.locator('input[name="password"]').fill(password);
          await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.locator('form[action="/login"] button[type="submit"]').click()]);
        }
        for (const url of urls) {
          await page.goto(`${served.url()}${url}`, { waitUntil: 'load' });
          expect({ url, ...(await probe(page)) }).toEqual({ url, ran: [], injected: 0 });
        }
        await context.close();
      };
      // The probe itself sees a payload that becomes markup.
      const control = await (await unprotectedContext(browser)).newPage();
      await control.setContent(`<img data-fzx src=x onerror="(window.__xss=window.__xss||[]).push('control')">`, { waitUntil: 'load' });
      expect(await probe(control)).toEqual({ ran: ['control'], injected: 1 });
      await visit('admin', pages.admin);
      await visit('lead', pages.lead);
      await visit('customer', pages.customer);
    } finally {
      await browser.close();
    }
  });
});
