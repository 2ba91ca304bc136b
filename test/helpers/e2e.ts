/**
 * The app for real-browser journeys (test/e2e): the real process (runApp) on an embedded
 * engine process this test starts itself, so the test can read the database the app writes
 * and move an invitation's expiry into the past; an API client with the bootstrap key; the
 * outbox read through GET /api/v1/outbox, polled with a deadline; and signing in from a page.
 */
import { MongoClient, type Db } from 'mongodb';
import type { Page } from 'playwright-core';
import { startEmbeddedProcess } from '../../server/db/embedded-process';
import { createLogger } from '../../server/logger';
import { killApp, runApp, type AppProcess } from './process';
import { makeTempDir, removeTempDirs } from './tmp';

export const API_KEY = 'e2e-bootstrap-key-0123456789abcdef';
export const ADMIN = { email: 'admin@example.com', password: 'e2e admin passphrase' } as const;

export interface OutboxMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  tag: string | null;
  createdAt: string;
}

export interface E2eApp {
  url: string;
  app: AppProcess;
  /** The app's database, through the official driver. */
  db: Db;
  api: Api;
  /** Stops the app, then the engine, and removes the temporary directories. */
  stop(): Promise<void>;
}

export type Api = (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) => Promise<{ status: number; body: unknown; text: string }>;

/** JSON requests to the app's API with the bootstrap key. */
export function apiClient(url: string, key = API_KEY): Api {
  return async (method, path, body) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : undefined;
    return { status: res.status, body: json, text };
  };
}

/** Starts the engine and the app (admin, API key, dispatch worker on; `env` adds or overrides). */
export async function startE2eApp(env: Record<string, string> = {}): Promise<E2eApp> {
  // A process of its own: the engine works while the test waits on the browser.
  const engine = await startEmbeddedProcess(makeTempDir('retour-e2e-db-'), createLogger({ logLevel: 'silent' }));
  const uri = engine.uri.replace('/?', '/retour?');
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  const app = runApp({
    MONGODB_URI: uri,
    DATA_DIR: makeTempDir('retour-e2e-'),
    BOOTSTRAP_API_KEY: API_KEY,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ...env,
  });
  let url: string;
  try {
    [{ url }] = await Promise.all([app.ready, client.connect()]);
  } catch (err) {
    await killApp(app);
    await client.close();
    await engine.stop();
    throw err;
  }
  const api = apiClient(url);
  return {
    url,
    app,
    db: client.db('retour'),
    api,
    async stop() {
      await killApp(app);
      await client.close();
      await engine.stop();
      removeTempDirs();
    },
  };
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The newest outbox email to `to`, waiting for the dispatch worker to send it. */
export async function waitForEmail(api: Api, to: string): Promise<OutboxMessage> {
  return waitFor(`the email to ${to} in the outbox`, async () => {
    const res = await api('GET', '/api/v1/outbox?limit=200');
    if (res.status !== 200) throw new Error(`GET /api/v1/outbox answered ${res.status}: ${res.text}`);
    return (res.body as { messages: OutboxMessage[] }).messages.find((m) => m.to === to);
  });
}

/** The links of an email's text part, made relative to the app's own address (PUBLIC_URL may name another port). */
export function emailLinks(url: string, message: OutboxMessage): { survey: string; yes: string; no: string; unsubscribe: string } {
  const urls = [...message.text.matchAll(/https?:\/\/\S+/g)].map((m) => `${url}${new URL(m[0]).pathname}${new URL(m[0]).search}`);
  const find = (test: (u: URL) => boolean, what: string) => {
    const found = urls.find((u) => test(new URL(u)));
    if (!found) throw new Error(`no ${what} link in the email:\n${message.text}`);
    return found;
  };
  return {
    survey: find((u) => u.pathname.startsWith('/s/') && u.search === '', 'survey'),
    yes: find((u) => u.pathname.startsWith('/s/') && u.searchParams.get('a')?.endsWith(':yes') === true, 'yes'),
    no: find((u) => u.pathname.startsWith('/s/') && u.searchParams.get('a')?.endsWith(':no') === true, 'no'),
    unsubscribe: find((u) => u.pathname.startsWith('/u/'), 'unsubscribe'),
  };
}

/** Signs in through the login page of `page`'s context (the session cookie stays in it). */
export async function signIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.locator('form[action="/login"] button[type="submit"]').click()]);
}
