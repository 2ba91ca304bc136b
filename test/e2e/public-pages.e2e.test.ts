/**
 * The public pages in a real browser at phone size: the home page explains Retour and
 * links to sign-in, the sign-in page works by keyboard, and neither has serious or
 * critical accessibility violations. Runs the app as a real process (embedded engine).
 */
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, seriousViolations } from '../helpers/browser';
import { killApp, runApp, type AppProcess } from '../helpers/process';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

let browser: Browser;
let app: AppProcess;
let url: string;

beforeAll(async () => {
  app = runApp({ DATA_DIR: makeTempDir(), DISPATCH_WORKER: '0' });
  [browser, { url }] = await Promise.all([launchBrowser(), app.ready]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await killApp(app);
  removeTempDirs();
});

describe('public pages on a phone', () => {
  it('shows the home page in French with a sign-in link, without accessibility violations', async () => {
    const context = await newContext(browser, { locale: 'fr-FR' });
    const page = await context.newPage();
    const res = await page.goto(`${url}/`);
    expect(res?.status()).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await page.locator('a[href="/login"]').count()).toBeGreaterThan(0);
    await expect(seriousViolations(page)).resolves.toEqual([]);
    // Nothing wider than the phone: no horizontal scrolling at 360 px.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });

  it('signs in from the keyboard alone and refuses a wrong password with a readable message', async () => {
    const context = await newContext(browser, { locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${url}/login`);
    await expect(seriousViolations(page)).resolves.toEqual([]);
    await page.keyboard.press('Tab');
    await page.getByLabel(/email/i).fill('nobody@example.com');
    await page.getByLabel(/password/i).fill('not the password');
    await page.keyboard.press('Enter');
    await page.waitForLoadState('domcontentloaded');
    expect(page.url()).toContain('/login');
    await expect(page.locator('[role="alert"], .error-summary').first().textContent()).resolves.toMatch(/\S/);
    await expect(seriousViolations(page)).resolves.toEqual([]);
    await context.close();
  });
});
