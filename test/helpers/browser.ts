/**
 * Real-browser helpers for test/e2e: Debian's Chromium driven by playwright-core (the
 * Playwright browser download is not available on our machines), phone-sized pages, and
 * an axe-core accessibility check that fails on serious or critical violations.
 */
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** A common phone: 360 × 740 CSS pixels, touch, device pixel ratio 3. */
export const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true } as const;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A fresh context (own cookies) in `locale`; phone-sized unless `desktop`; `javaScript: false` turns scripts off. */
export async function newContext(browser: Browser, options: { locale?: string; desktop?: boolean; javaScript?: boolean } = {}): Promise<BrowserContext> {
  const size = options.desktop ? { viewport: { width: 1280, height: 900 } } : PHONE;
  const context = await browser.newContext({ ...size, locale: options.locale ?? 'fr-FR', javaScriptEnabled: options.javaScript ?? true });
  // A missing element fails its step with a message well within a test's own timeout.
  context.setDefaultTimeout(10_000);
  // The app must work offline: any request leaving loopback fails the page (and the test).
  await context.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/])/, (route) => route.abort());
  return context;
}

export interface AxeViolation {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_OPTIONS = JSON.stringify({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });

interface AxeResult {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * The page's serious and critical WCAG 2.1 A/AA violations (an empty list is a pass).
 * axe-core goes into the page once per document and runs there: @axe-core/playwright's
 * builder injects it twice per check, which made the accessibility runs twice as long.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(`axe.run(document, ${AXE_OPTIONS}).then((r) => r.violations)`)) as AxeResult[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}
