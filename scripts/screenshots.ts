/**
 * `npm run screenshots`: the README's pictures, taken from the demo data. Starts Retour with
 * DEMO=1 on a temporary DATA_DIR, signs in as the demo admin, and writes to docs/screenshots/:
 * the overview, the trends with the relocation marker, the template editor, and the survey
 * on a phone opened from the "No" link of a real invitation email in the outbox. Needs
 * Chromium (CHROMIUM_PATH, default /usr/bin/chromium), like the end-to-end tests.
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newContext } from '../test/helpers/browser';
import { apiClient, API_KEY, emailLinks, signIn, waitFor, waitForEmail } from '../test/helpers/e2e';
import { killApp, REPO_ROOT, runApp, type AppProcess } from '../test/helpers/process';
import { makeTempDir, removeTempDirs } from '../test/helpers/tmp';

const OUT = path.join(REPO_ROOT, 'docs', 'screenshots');
const MAX_BYTES = 300 * 1024;
const DEMO_ADMIN = { email: 'demo.admin@example.com', password: 'demo-admin-retour' };
const DAY_MS = 86_400_000;

/**
 * Writes `name`: the viewport, or the part of the page from the top of `from` to the bottom
 * of `to`, as wide as the page or, with `column`, as that element (a page's text column).
 */
async function shoot(page: Page, name: string, area?: { from: string; to: string; column?: string }): Promise<{ file: string; bytes: number }> {
  const file = path.join(OUT, name);
  if (!area) {
    await page.screenshot({ path: file, animations: 'disabled' });
    return { file, bytes: statSync(file).size };
  }
  const box = async (selector: string) => {
    const found = await page.locator(selector).first().boundingBox();
    if (!found) throw new Error(`${name}: nothing matches ${selector} on ${page.url()}`);
    return found;
  };
  const [top, bottom, column] = await Promise.all([box(area.from), box(area.to), area.column ? box(area.column) : null]);
  const y = Math.max(0, top.y - 16);
  const x = column ? Math.max(0, column.x - 16) : 0;
  const width = column ? column.width + 32 : (page.viewportSize()?.width ?? 1280);
  await page.screenshot({ path: file, fullPage: true, clip: { x, y, width, height: bottom.y + bottom.height + 4 - y }, animations: 'disabled' });
  return { file, bytes: statSync(file).size };
}

/** The staff pages, in English, at a laptop's width. */
async function staffScreenshots(browser: Browser, url: string) {
  const context = await newContext(browser, { locale: 'en-GB', desktop: true });
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 1000 });
  await signIn(page, url, DEMO_ADMIN.email, DEMO_ADMIN.password);
  const shots = [];

  // The demo admin reads French; the README is in English (?lang= is remembered for the account).
  await page.goto(`${url}/reports?lang=en`);
  shots.push(await shoot(page, 'overview.png', { from: '.report-period', to: 'figure.chart' }));

  // Six months, so the business support line's move from Casablanca to Abbeville is in view.
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10);
  await page.goto(`${url}/reports/trends?from=${day(182)}&to=${day(0)}`);
  shots.push(await shoot(page, 'trends-relocation.png', { from: 'section.report-section h2', to: 'section.report-section figcaption' }));

  await page.goto(`${url}/admin/templates/post-call/edit`);
  shots.push(await shoot(page, 'template-editor.png', { from: 'main h1', to: 'fieldset.tpl-question', column: 'form.tpl-editor' }));
  await context.close();
  return shots;
}

/** A call just ended, its email in the outbox, and the customer's phone opening its "No" link. */
async function surveyScreenshot(browser: Browser, url: string) {
  const api = apiClient(url);
  // A line of its own that sends at once, whatever the hour (the demo's lines keep quiet hours).
  const queue = await api('PUT', '/api/v1/queues/screenshots', { name: 'Screenshots', site: 'ABV', survey: { delayMinutes: 0, quietHours: null } });
  if (queue.status >= 300) throw new Error(`PUT /api/v1/queues/screenshots answered ${queue.status}: ${queue.text}`);
  const email = 'claire.dubois@example.com';
  const call = await api('POST', '/api/v1/calls', {
    externalId: 'pbx-screenshots-1',
    endedAt: new Date().toISOString(),
    queue: 'screenshots',
    agent: 'a.martin',
    reason: 'termination',
    durationSec: 312,
    customer: { email, name: 'Claire Dubois', locale: 'fr' },
  });
  if (call.status !== 202) throw new Error(`POST /api/v1/calls answered ${call.status}: ${call.text}`);
  const links = emailLinks(url, await waitForEmail(api, email));

  const context = await newContext(browser, { locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto(links.no);
  // The page's script saves the email's answer and says so: wait for the words.
  const status = page.locator('[data-survey-status]');
  const saved = await status.getAttribute('data-saved');
  await waitFor('the saved message', async () => ((await status.textContent()) === saved ? true : undefined));
  const shot = await shoot(page, 'survey-phone.png');
  await context.close();
  return shot;
}

async function run(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  let app: AppProcess | undefined;
  let browser: Browser | undefined;
  try {
    app = runApp({ DATA_DIR: makeTempDir('retour-screenshots-'), DEMO: '1', BOOTSTRAP_API_KEY: API_KEY });
    process.stdout.write('Starting Retour with the demo data...\n');
    let url: string;
    [browser, { url }] = await Promise.all([launchBrowser(), app.ready]);
    const shots = [...(await staffScreenshots(browser, url)), await surveyScreenshot(browser, url)];
    for (const { file, bytes } of shots) process.stdout.write(`${path.relative(REPO_ROOT, file)}  ${Math.round(bytes / 1024)} kB\n`);
    const big = shots.filter((s) => s.bytes > MAX_BYTES);
    if (big.length > 0) throw new Error(`larger than ${MAX_BYTES / 1024} kB: ${big.map((s) => path.basename(s.file)).join(', ')}`);
  } finally {
    await browser?.close();
    await killApp(app);
    removeTempDirs();
  }
}

run().catch((err: unknown) => {
  process.stderr.write(`Screenshots failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
