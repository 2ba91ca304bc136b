/**
 * The whole product in a real browser, one step after the other: a call posted to the API,
 * its email in the outbox, the customer clicking "No" in it on a phone and naming what was
 * missing; a quality lead invited from the admin pages who sees the answer in the overview
 * and in the comments and marks it handled with a note; then the admin adds a question to
 * the survey in the template editor and publishes it, and the next invitation asks it.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, newContext } from '../helpers/browser';
import { ADMIN, emailLinks, signIn, startE2eApp, waitFor, waitForEmail, type E2eApp } from '../helpers/e2e';

let browser: Browser;
let e2e: E2eApp;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [browser, e2e] = await Promise.all([launchBrowser(), startE2eApp()]);
  for (const [path, body] of [
    ['/api/v1/sites/ABV', { name: 'Abbeville', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' }],
    ['/api/v1/sites/CAS', { name: 'Casablanca', country: 'MA', timezone: 'Africa/Casablanca', locale: 'fr' }],
    // Sent as soon as the call is posted, whatever the hour.
    ['/api/v1/queues/business-support', { name: 'Business support', site: 'ABV', survey: { delayMinutes: 0, quietHours: null } }],
  ] as const) {
    const res = await e2e.api('PUT', path, body);
    if (res.status >= 300) throw new Error(`PUT ${path} answered ${res.status}: ${res.text}`);
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await e2e?.stop();
});

async function open(options: { locale: string; desktop?: boolean }): Promise<Page> {
  const context = await newContext(browser, options);
  contexts.push(context);
  return context.newPage();
}

/** Posts a call that just ended at Abbeville and returns its invitation email's links. */
async function callEnded(externalId: string, email: string) {
  const res = await e2e.api('POST', '/api/v1/calls', {
    externalId,
    endedAt: new Date().toISOString(),
    site: 'ABV',
    queue: 'business-support',
    agent: 'a.martin',
    reason: 'termination',
    durationSec: 245,
    customer: { email, name: 'Claire Dubois', locale: 'fr' },
  });
  expect(res.status).toBe(202);
  return emailLinks(e2e.url, await waitForEmail(e2e.api, email));
}

/** Clicks a submit button and waits for the page the form leads to. */
async function send(page: Page, button: string): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated'), page.locator(button).click()]);
  await page.waitForLoadState();
}

const MISSING = 'On ne m’a pas donné le délai de résiliation';

describe('from a finished call to a handled answer and a new survey version', () => {
  let admin: Page;
  let lead: Page;

  it('lets the admin invite a quality lead for Abbeville, who chooses a password', async () => {
    admin = await open({ locale: 'fr-FR', desktop: true });
    await signIn(admin, e2e.url, ADMIN.email, ADMIN.password);
    await admin.goto(`${e2e.url}/admin/users/new`);
    await admin.locator('#email').fill('lea.martin@example.com');
    await admin.locator('#name').fill('Léa Martin');
    await admin.locator('#role-quality').check();
    await admin.getByLabel('Abbeville (ABV)', { exact: true }).check();
    await admin.locator('#locale-fr').check();
    await send(admin, 'form[action="/admin/users"] button[type="submit"]');
    const link = new URL(await admin.locator('#secret-value').inputValue());

    lead = await open({ locale: 'fr-FR', desktop: true });
    await lead.goto(`${e2e.url}${link.pathname}${link.search}`);
    await lead.locator('#password').fill('léa choisit une phrase longue');
    await lead.locator('#confirm').fill('léa choisit une phrase longue');
    await send(lead, 'form[action="/set-password"] button[type="submit"]');
    await signIn(lead, e2e.url, 'lea.martin@example.com', 'léa choisit une phrase longue');
    // Signing in lands on the overview.
    expect(new URL(lead.url()).pathname).toBe('/reports');
  });

  it('shows the admin lists as wide as the reports, keeps forms to the reading measure, and lines the header up with either', async () => {
    const layout = async (path: string) => {
      await admin.goto(`${e2e.url}${path}`);
      const box = (selector: string) => admin.locator(selector).first().evaluate((el) => Math.round(el.getBoundingClientRect().left));
      const width = await admin.locator('main').evaluate((main) => main.getBoundingClientRect().width);
      return { wide: width > 1000, aligned: new Set([await box('main'), await box('.site-header__inner'), await box('.staff-nav ul'), await box('.site-footer')]).size === 1 };
    };
    // The desktop window is 1280 px wide: a list or a report gets 72rem (1,152 px), a form 42rem (672 px).
    expect(await layout('/admin/users')).toEqual({ wide: true, aligned: true });
    expect(await layout('/admin/sites')).toEqual({ wide: true, aligned: true });
    expect(await layout('/reports')).toEqual({ wide: true, aligned: true });
    expect(await layout('/admin/users/new')).toEqual({ wide: false, aligned: true });
  });

  it('takes the customer from the email\'s "No" to the thank-you page on a phone', async () => {
    const links = await callEnded('pbx-journey-1', 'claire.dubois@example.fr');
    const phone = await open({ locale: 'fr-FR' });
    await phone.goto(links.no);
    await expect(phone.locator('input[name="info"][value="no"]').isChecked()).resolves.toBe(true);
    const status = phone.locator('[data-survey-status]');
    const saved = await status.getAttribute('data-saved');
    await waitFor('the saved message', async () => ((await status.textContent()) === saved ? true : undefined));
    await phone.locator('textarea[name="missing"]').fill(MISSING);
    await phone.locator('label[for="q-csat-2"]').click();
    await send(phone, 'button.survey-form__submit');
    await phone.locator('#thanks-title').waitFor();
  });

  it('shows the quality lead the answer in the overview and the comments, and records it handled with a note', async () => {
    await lead.goto(`${e2e.url}/reports`);
    const columns = await lead.locator('.report-overview thead th').allTextContents();
    expect(columns.join(' ')).toContain('ABV');
    // Only the lead's site: Casablanca is not theirs.
    expect(columns.join(' ')).not.toContain('CAS');
    await expect(lead.locator('.report-row--responses td').first().textContent()).resolves.toMatch(/^\s*1\s*$/);
    await expect(lead.locator('.report-row--invited td').first().textContent()).resolves.toMatch(/^\s*1\s*$/);

    await lead.goto(`${e2e.url}/reports/comments`);
    const comment = lead.locator('li.comment', { hasText: MISSING });
    await expect(comment.count()).resolves.toBe(1);
    await comment.locator('textarea[name="note"]').fill('Rappelée le jour même : délai de 30 jours confirmé.');
    await send(lead, `li.comment:has-text("${MISSING}") form.comment__handle button[type="submit"]`);
    const handled = lead.locator('li.comment', { hasText: MISSING });
    await expect(handled.locator('.comment__handled').textContent()).resolves.toContain('lea.martin@example.com');
    await expect(handled.locator('.comment__note').textContent()).resolves.toContain('délai de 30 jours confirmé');
    const stored = await e2e.db.collection('responses').findOne({ externalId: 'pbx-journey-1' });
    expect(stored?.handled).toMatchObject({ byEmail: 'lea.martin@example.com', note: 'Rappelée le jour même : délai de 30 jours confirmé.' });
  });

  it('publishes a question added in the template editor, and the next invitation asks it', async () => {
    await admin.goto(`${e2e.url}/admin/templates/post-call/edit`);
    await admin.locator('#add-question summary').click();
    await admin.locator('#f-questions-5-type').selectOption('text');
    await admin.locator('#f-questions-5-id').fill('contact');
    await admin.locator('#f-questions-5-label-fr').fill('Comment préférez-vous être recontacté ?');
    await admin.locator('#f-questions-5-label-en').fill('How would you rather be contacted?');
    await send(admin, '#add-question button[type="submit"]');
    await expect(admin.locator('#f-questions-5-id').inputValue()).resolves.toBe('contact');

    await admin.goto(`${e2e.url}/admin/templates/post-call/publish`);
    await expect(admin.locator('.tpl-diff').textContent()).resolves.toContain('contact');
    await send(admin, 'form[action="/admin/templates/post-call/publish"] button[type="submit"]');
    const versions = e2e.db.collection('templateversions');
    await expect(versions.countDocuments({ template: 'post-call' })).resolves.toBe(2);

    const links = await callEnded('pbx-journey-2', 'julien.roux@example.fr');
    const phone = await open({ locale: 'fr-FR' });
    await phone.goto(links.survey);
    await expect(phone.locator('label[for="q-contact-input"]').textContent()).resolves.toContain('Comment préférez-vous être recontacté ?');
    // The earlier customer's survey keeps the version it was answered on.
    const invitations = e2e.db.collection('invitations');
    const [first, second] = await Promise.all([invitations.findOne({ externalId: 'pbx-journey-1' }), invitations.findOne({ externalId: 'pbx-journey-2' })]);
    expect(second?.templateVersionId).not.toBe(first?.templateVersionId);
  });
});
