/**
 * The reports benchmark's HTTP client: plain node:http over keep-alive agents (a light
 * client, so what is measured is the server), signing in through the login form as a
 * person does, and timed GETs that stop the bench on anything but the expected page.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { send } from './http';

function request(agent: http.Agent, url: string, options: { method?: string; cookie?: string; form?: Record<string, string> } = {}) {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  const headers: Record<string, string> = { accept: 'text/html' };
  if (options.cookie) headers.cookie = options.cookie;
  if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
  return send(agent, url, { method: options.method, headers, body });
}

const sessionCookie = (cookies: string[], fallback = '') => cookies.find((c) => c.startsWith('retour.sid='))?.split(';')[0] ?? fallback;

/** Signs in through GET and POST /login; returns the session cookie. */
export async function signIn(agent: http.Agent, base: string, login: { email: string; password: string }): Promise<string> {
  const page = await request(agent, `${base}/login`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  if (!csrf) throw new Error(`GET /login answered ${page.status} without a form`);
  const res = await request(agent, `${base}/login`, { method: 'POST', cookie: sessionCookie(page.cookies), form: { _csrf: csrf, email: login.email, password: login.password, next: '' } });
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  return sessionCookie(res.cookies);
}

/** One timed GET; anything but a 200 page stops the bench. */
export async function timed(agent: http.Agent, url: string, cookie: string): Promise<number> {
  const start = performance.now();
  const res = await request(agent, url, { cookie });
  const ms = performance.now() - start;
  if (res.status !== 200 || !res.text.includes('Abbeville')) throw new Error(`GET ${url} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return ms;
}
