/**
 * Staff fixtures for integration tests (with useTestDatabase()): accounts made through the
 * real services, agents signed in through the real login form (the session cookie kept),
 * CSRF tokens read from the pages, and API keys.
 */
import type { Express } from 'express';
import request from 'supertest';
import type { Role, StaffUser } from '../../server/auth';
import { createApiKey as storeApiKey } from '../../server/auth/api-keys';
import { hashPassword } from '../../server/auth/passwords';
import { createUser, toStaffUser } from '../../server/auth/users';

export const DEFAULT_PASSWORD = 'correct horse battery staple';

let counter = 0;

export interface StaffOptions {
  role: Role;
  sites?: string[];
  email?: string;
  password?: string;
  name?: string;
  locale?: 'fr' | 'en';
}

/** An active account that can sign in with `password`. */
export async function createStaff(opts: StaffOptions): Promise<{ user: StaffUser; email: string; password: string }> {
  counter += 1;
  const email = opts.email ?? `${opts.role}-${counter}-${process.pid}@example.com`;
  const password = opts.password ?? DEFAULT_PASSWORD;
  const { user } = await createUser(
    {
      email,
      name: opts.name ?? `${opts.role === 'admin' ? 'Admin' : 'Quality'} ${counter}`,
      role: opts.role,
      sites: opts.sites ?? [],
      locale: opts.locale ?? 'en',
      passwordHash: await hashPassword(password),
    },
    { type: 'system' },
  );
  return { user: toStaffUser(user), email: user.email, password };
}

/** The `_csrf` value of the first form in an HTML page. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no _csrf field in the page');
  return match[1];
}

/** Signs in through GET + POST /login with an agent that keeps the session cookie. */
export async function signIn(app: Express, email: string, password: string): Promise<request.Agent> {
  const agent = request.agent(app);
  const page = await agent.get('/login');
  const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), email, password });
  if (res.status !== 303) throw new Error(`sign-in as ${email} failed with ${res.status}`);
  return agent;
}

export async function loginAs(
  app: Express,
  opts: StaffOptions,
): Promise<{ agent: request.Agent; csrf(path?: string): Promise<string>; user: StaffUser }> {
  const { user, email, password } = await createStaff(opts);
  const agent = await signIn(app, email, password);
  return {
    agent,
    user,
    // Any staff page carries the token (the sign-out form in the header).
    async csrf(path = '/account') {
      return csrfFrom((await agent.get(path)).text);
    },
  };
}

/** A new API key, in plain text. */
export async function createApiKey(name = 'test key'): Promise<string> {
  return (await storeApiKey(name)).key;
}
