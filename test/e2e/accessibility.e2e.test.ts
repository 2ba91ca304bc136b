/**
 * An axe-core check of every page type in a real browser, on the demo data (so the reports
 * have figures and charts): public pages, the account, each admin list and edit page, each
 * report, the customer's survey (form, 422, thanks, 404, 410) and unsubscribe pages, and
 * the 404 page. No page may have a serious or critical WCAG 2.1 A/AA violation.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, newContext, seriousViolations } from '../helpers/browser';
import { emailLinks, signIn, startE2eApp, waitForEmail, type E2eApp } from '../helpers/e2e';

let browser: Browser;
let e2e: E2eApp;
let staff: BrowserContext;
let admin: Page;
const survey = { open: '', expired: '', unsubscribe: '' };
const ids = { user: '', outbox: '', call: 'pbx-a11y-1' };

/** A call to a queue made for this test (sent at once), and its email's links. */
async function invite(n: number, locale: 'fr' | 'en') {
  const email = `a11y.${n}@example.org`;
  const call = { externalId: `pbx-a11y-${n}`, endedAt: new Date().toISOString(), queue: 'a11y-line', agent: 'a.martin', reason: 'billing', durationSec: 120, customer: { email, name: 'Claire Dubois', locale } };
  const res = await e2e.api('POST', '/api/v1/calls', call);
  expect(res.status).toBe(202);
  return emailLinks(e2e.url, await waitForEmail(e2e.api, email));
}

beforeAll(async () => {
  [browser, e2e] = await Promise.all([launchBrowser(), startE2eApp({ DEMO: '1' })]);
  const queue = await e2e.api('PUT', '/api/v1/queues/a11y-line', { name: 'Accessibility line', site: 'ABV', survey: { delayMinutes: 0, quietHours: null } });
  expect(queue.status).toBeLessThan(300);
  const [open, expired, leaving] = await Promise.all([invite(1, 'fr'), invite(2, 'fr'), invite(3, 'en')]);
  survey.open = open.survey;
  survey.expired = expired.survey;
  survey.unsubscribe = leaving.unsubscribe;
  // The second link's survey closed yesterday.
  await e2e.db.collection('invitations').updateOne({ externalId: 'pbx-a11y-2' }, { $set: { expiresAt: new Date(Date.now() - 86_400_000) } });

  const lead = await e2e.db.collection('users').findOne({ email: 'demo.qualite@example.com' });
  ids.user = String(lead?._id);
  const outbox = (await e2e.api('GET', '/api/v1/outbox?limit=1')).body as { messages: { id: string }[] };
  ids.outbox = outbox.messages[0]?.id ?? '';

  staff = await newContext(browser, { locale: 'fr-FR', desktop: true });
  admin = await staff.newPage();
  await signIn(admin, e2e.url, 'demo.admin@example.com', 'demo-admin-retour');
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await e2e?.stop();
});

/** Opens `path` on `page`, checks the status, and returns the page's serious violations with where they were. */
async function audit(page: Page, path: string, status = 200) {
  // The calls log counts the demo's 30,000 calls: seconds, more on a busy machine.
  const res = await page.goto(path.startsWith('http') ? path : `${e2e.url}${path}`, { timeout: 25_000 });
  expect(res?.status()).toBe(status);
  return { path, violations: await seriousViolations(page) };
}

const clean = (path: string) => ({ path, violations: [] });

describe('public pages', () => {
  let visitor: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    visitor = await newContext(browser, { locale: 'en-GB' });
    page = await visitor.newPage();
  });
  afterAll(() => visitor.close());

  it.each([
    ['the home page', '/', 200],
    ['the sign-in page', '/login', 200],
    ['the 404 page', '/no-such-page', 404],
    ['the survey of an unknown link (404)', '/s/no-such-survey-link', 404],
    ['the unsubscribe page of an unknown link (404)', '/u/no-such-link', 404],
  ])('%s', async (_name, path, status) => {
    await expect(audit(page, path, status)).resolves.toEqual(clean(path));
  });
});

describe('the survey and unsubscribe pages on a phone', () => {
  let customer: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    customer = await newContext(browser, { locale: 'fr-FR' });
    page = await customer.newPage();
  });
  afterAll(() => customer.close());

  it('the survey form, its 422 page and the thank-you page', async () => {
    await expect(audit(page, survey.open)).resolves.toEqual(clean(survey.open));
    await page.locator('label[for="q-info-yes"]').click();
    await Promise.all([page.waitForEvent('framenavigated'), page.locator('button.survey-form__submit').click()]);
    await page.locator('.error-summary').waitFor();
    await expect(seriousViolations(page)).resolves.toEqual([]);
    await page.locator('label[for="q-csat-5"]').click();
    await Promise.all([page.waitForEvent('framenavigated'), page.locator('button.survey-form__submit').click()]);
    await page.locator('#thanks-title').waitFor();
    await expect(seriousViolations(page)).resolves.toEqual([]);
  });

  it('the survey that has closed (410)', async () => {
    await expect(audit(page, survey.expired, 410)).resolves.toEqual(clean(survey.expired));
  });

  it('the unsubscribe confirmation and the page after it', async () => {
    await expect(audit(page, survey.unsubscribe)).resolves.toEqual(clean(survey.unsubscribe));
    await Promise.all([page.waitForEvent('framenavigated'), page.locator('main form button[type="submit"]').click()]);
    await page.waitForLoadState();
    expect(page.url()).toContain('/u/');
    await expect(seriousViolations(page)).resolves.toEqual([]);
  });
});

describe('staff pages, signed in as the demo admin', () => {
  const months = (n: number) => new Date(Date.now() - n * 30 * 86_400_000).toISOString().slice(0, 10);

  it.each([
    ['my account', () => '/account'],
    ['change my password', () => '/account/password'],
    ['sites', () => '/admin/sites'],
    ['a new site', () => '/admin/sites/new'],
    ['a site', () => '/admin/sites/ABV'],
    ['queues', () => '/admin/queues'],
    ['a new queue', () => '/admin/queues/new'],
    ['a queue and its timeline', () => '/admin/queues/business-support'],
    ['relocating a queue', () => '/admin/queues/business-support/relocate'],
    ['the calls log', () => '/admin/calls'],
    ['one call and its decision', () => `/admin/calls/${ids.call}`],
    ['importing calls', () => '/admin/calls/import'],
    ['survey templates', () => '/admin/templates'],
    ['a new template', () => '/admin/templates/new'],
    ['importing a template', () => '/admin/templates/import'],
    ['a template and its versions', () => '/admin/templates/post-call'],
    ['the template editor', () => '/admin/templates/post-call/edit'],
    ['a template preview', () => '/admin/templates/post-call/preview'],
    ['users', () => '/admin/users'],
    ['inviting a user', () => '/admin/users/new'],
    ['a user', () => `/admin/users/${ids.user}`],
    ['API keys', () => '/admin/api-keys'],
    ['privacy: retention and erasure', () => '/admin/privacy'],
    ['the audit log', () => '/admin/audit'],
    ['the outbox', () => '/admin/outbox'],
    ['one email of the outbox', () => `/admin/outbox/${ids.outbox}`],
    ['the overview report', () => '/reports'],
    ['sites compared', () => '/reports/sites'],
    ['trends and relocations', () => `/reports/trends?from=${months(6)}`],
    ['the drill-down', () => '/reports/drilldown'],
    ['comments', () => '/reports/comments'],
  ])('%s', async (_name, path) => {
    const p = path();
    await expect(audit(admin, p)).resolves.toEqual(clean(p));
  });

  it('publishing a draft', async () => {
    // A draft to publish: the editor saves the published version as one.
    await admin.goto(`${e2e.url}/admin/templates/post-call/edit`);
    await Promise.all([admin.waitForEvent('framenavigated'), admin.locator('form[data-template-editor] .tpl-actions button[value="save"]').first().click()]);
    await admin.waitForLoadState();
    await expect(audit(admin, '/admin/templates/post-call/publish')).resolves.toEqual(clean('/admin/templates/post-call/publish'));
  });

  it('reviewing a calls import', async () => {
    await admin.goto(`${e2e.url}/admin/calls/import`);
    await admin.locator('#f-csv').fill('externalId;endedAt;queue;agent;reason;email;name;locale\npbx-import-1;2026-01-20 15:03;billing;a.martin;billing;client@example.fr;Claire Dubois;fr\n');
    await Promise.all([admin.waitForEvent('framenavigated'), admin.locator('form[action="/admin/calls/import"] button[type="submit"]').click()]);
    await admin.waitForLoadState();
    expect(admin.url()).toMatch(/\/admin\/calls\/import\/\w+/);
    await expect(seriousViolations(admin)).resolves.toEqual([]);
  });
});
