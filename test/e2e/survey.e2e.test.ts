/**
 * The customer's survey in a real browser at phone size (360 px): a call posted to the API,
 * its invitation email read from the outbox, the email's one-click "No" opened, the partial
 * answer saved, the follow-up and the rest answered, the thank-you page, and the answers
 * changed afterwards, which updates the one response. The same without JavaScript, where the
 * follow-up question appears after the first submit. Accessibility (axe) of the survey, its
 * 422 page and the thank-you page, in French and English.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, newContext, seriousViolations } from '../helpers/browser';
import { emailLinks, startE2eApp, waitFor, waitForEmail, type E2eApp } from '../helpers/e2e';

let browser: Browser;
let e2e: E2eApp;
let calls = 0;

beforeAll(async () => {
  [browser, e2e] = await Promise.all([launchBrowser(), startE2eApp()]);
  await expectStatus(e2e.api('PUT', '/api/v1/sites/ABV', { name: 'Abbeville', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' }), 200, 201);
  // Sent as soon as the call is posted, whatever the hour.
  const survey = { delayMinutes: 0, quietHours: null };
  await expectStatus(e2e.api('PUT', '/api/v1/queues/business-support', { name: 'Business support', site: 'ABV', survey }), 200, 201);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await e2e?.stop();
});

async function expectStatus(call: Promise<{ status: number; text: string }>, ...wanted: number[]): Promise<void> {
  const res = await call;
  if (!wanted.includes(res.status)) throw new Error(`answered ${res.status}: ${res.text}`);
}

/** Posts a finished call for a new customer and returns the links of the invitation email the worker sends. */
async function invite(locale: 'fr' | 'en') {
  calls += 1;
  const email = `customer.${calls}@example.fr`;
  const call = {
    externalId: `pbx-e2e-survey-${calls}`,
    endedAt: new Date().toISOString(),
    site: 'ABV',
    queue: 'business-support',
    agent: 'a.martin',
    reason: 'billing',
    durationSec: 312,
    customer: { email, name: 'Claire Dubois', locale },
  };
  const res = await e2e.api('POST', '/api/v1/calls', call);
  expect(res.status).toBe(202);
  expect(JSON.stringify(res.body)).toContain('scheduled');
  const message = await waitForEmail(e2e.api, email);
  return { email, externalId: call.externalId, links: emailLinks(e2e.url, message) };
}

/** The responses stored for a call (there must be at most one). */
async function responsesOf(externalId: string) {
  return e2e.db.collection('responses').find({ externalId }).toArray();
}

/** Sends the survey form as a person does and waits for the page it leads to; resolves with the POST's status. */
async function submit(page: Page): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().resourceType() === 'document'),
    page.waitForEvent('framenavigated'),
    page.locator('button.survey-form__submit').click(),
  ]);
  await page.waitForLoadState();
  return response.status();
}

async function phone(options: { locale: string; javaScript?: boolean }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, { locale: options.locale, javaScript: options.javaScript });
  return { context, page: await context.newPage() };
}

describe('the survey on a phone, with JavaScript', () => {
  it('saves the one-click "No" at once, takes the follow-up and the rest, thanks, and lets the answers change', async () => {
    const { externalId, links } = await invite('fr');
    const { context, page } = await phone({ locale: 'fr-FR' });

    const opened = await page.goto(links.no);
    expect(opened?.status()).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    // Readable at 360 px: nothing wider than the phone.
    await expect(page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).resolves.toBeLessThanOrEqual(0);
    await expect(page.locator('input[name="info"][value="no"]').isChecked()).resolves.toBe(true);
    // The page's script saves the email's answer and says so.
    const status = page.locator('[data-survey-status]');
    const saved = await status.getAttribute('data-saved');
    await waitFor('the saved message', async () => ((await status.textContent()) === saved ? true : undefined));
    const partial = await waitFor('the partial response', async () => (await responsesOf(externalId)).find((r) => r.answers?.info === 'no'));
    expect(partial).toMatchObject({ complete: false, gotInformation: false, channel: 'email-click' });

    // The follow-up question is shown in place because the answer is "No".
    const missing = page.locator('textarea[name="missing"]');
    await expect(missing.isVisible()).resolves.toBe(true);
    await missing.fill('Le délai de résiliation');
    await page.locator('label[for="q-csat-4"]').click();
    await page.locator('label[for="q-nps-8"]').click();
    await page.locator('textarea[name="comment"]').fill('Merci <b>beaucoup</b>');
    expect(await submit(page)).toBe(303);
    await page.locator('#thanks-title').waitFor();

    let [response] = await responsesOf(externalId);
    expect(response).toMatchObject({ complete: true, gotInformation: false, csat: 4, nps: 8 });
    expect(response?.answers).toMatchObject({ info: 'no', missing: 'Le délai de résiliation', comment: 'Merci <b>beaucoup</b>' });

    // "Change my answers": the stored answers come back, one changes, the same response is updated.
    await page.locator('.survey-thanks a.button').click();
    await page.locator('form[data-survey-form]').waitFor();
    await expect(page.locator('input[name="csat"][value="4"]').isChecked()).resolves.toBe(true);
    await expect(page.locator('textarea[name="missing"]').inputValue()).resolves.toBe('Le délai de résiliation');
    await page.locator('label[for="q-csat-2"]').click();
    expect(await submit(page)).toBe(303);
    await page.locator('#thanks-title').waitFor();

    const all = await responsesOf(externalId);
    expect(all).toHaveLength(1);
    [response] = all;
    expect(response).toMatchObject({ complete: true, csat: 2, nps: 8, gotInformation: false });
    await context.close();
  });
});

describe('the survey on a phone, without JavaScript', () => {
  it('asks the follow-up after the first submit, keeps the partial answer, then thanks and lets the answers change', async () => {
    const { externalId, links } = await invite('en');
    const { context, page } = await phone({ locale: 'en-GB', javaScript: false });

    await page.goto(links.survey);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await expect(page.locator('textarea[name="missing"]').isVisible()).resolves.toBe(false);
    expect(await responsesOf(externalId)).toHaveLength(0);
    await page.locator('label[for="q-info-no"]').click();
    await page.locator('label[for="q-csat-3"]').click();
    expect(await submit(page)).toBe(200);

    // One more question: the follow-up of "No", announced at the top; what was given is kept.
    await expect(page.locator('.survey-more').isVisible()).resolves.toBe(true);
    const missing = page.locator('textarea[name="missing"]');
    await expect(missing.isVisible()).resolves.toBe(true);
    await expect(page.locator('input[name="csat"][value="3"]').isChecked()).resolves.toBe(true);
    const [partial] = await responsesOf(externalId);
    expect(partial).toMatchObject({ complete: false, gotInformation: false, csat: 3, channel: 'web' });

    await missing.fill('The termination notice');
    expect(await submit(page)).toBe(303);
    await page.locator('#thanks-title').waitFor();
    expect((await responsesOf(externalId))[0]).toMatchObject({ complete: true, csat: 3, answers: { missing: 'The termination notice' } });

    await page.locator('.survey-thanks a.button').click();
    await page.locator('label[for="q-csat-5"]').click();
    expect(await submit(page)).toBe(303);
    await page.locator('#thanks-title').waitFor();
    const all = await responsesOf(externalId);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ complete: true, csat: 5, gotInformation: false });
    await context.close();
  });

  it('opens the email\'s "No" with the answer chosen and the follow-up shown, and records nothing until the submit', async () => {
    const { externalId, links } = await invite('fr');
    const { context, page } = await phone({ locale: 'fr-FR', javaScript: false });

    await page.goto(links.no);
    await expect(page.locator('input[name="info"][value="no"]').isChecked()).resolves.toBe(true);
    await expect(page.locator('textarea[name="missing"]').isVisible()).resolves.toBe(true);
    // A GET never records (mail scanners open links too).
    expect(await responsesOf(externalId)).toHaveLength(0);
    await page.locator('textarea[name="missing"]').fill('Les horaires');
    await page.locator('label[for="q-csat-2"]').click();
    expect(await submit(page)).toBe(303);
    await page.locator('#thanks-title').waitFor();
    const all = await responsesOf(externalId);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ complete: true, gotInformation: false, csat: 2, channel: 'email-click', answers: { info: 'no', missing: 'Les horaires' } });
    await context.close();
  });
});

describe('accessibility of the survey pages', () => {
  it.each([
    ['fr', 'fr-FR'],
    ['en', 'en-GB'],
  ] as const)('finds no serious violation on the form, its 422 page and the thank-you page (%s)', async (locale, browserLocale) => {
    const { links } = await invite(locale);
    const { context, page } = await phone({ locale: browserLocale });

    await page.goto(links.survey);
    expect(await page.getAttribute('html', 'lang')).toBe(locale);
    await expect(seriousViolations(page)).resolves.toEqual([]);

    // A required answer left out: 422, the summary links to the question, the message is beside it.
    await page.locator('label[for="q-info-yes"]').click();
    expect(await submit(page)).toBe(422);
    await page.locator('.error-summary a[href="#q-csat-1"]').waitFor();
    await expect(page.locator('#q-csat-error').isVisible()).resolves.toBe(true);
    await expect(page.locator('input[name="info"][value="yes"]').isChecked()).resolves.toBe(true);
    await expect(seriousViolations(page)).resolves.toEqual([]);

    await page.locator('label[for="q-csat-5"]').click();
    expect(await submit(page)).toBe(303);
    await page.locator('#thanks-title').waitFor();
    await expect(seriousViolations(page)).resolves.toEqual([]);
    await context.close();
  });
});
