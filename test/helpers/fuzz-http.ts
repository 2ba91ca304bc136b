/**
 * Serving the app for a test file, sending fuzz requests and judging the answers: every request has a deadline (a hang
 * fails), and every answer must be below 500, leak no stack or file path, and, when it
 * is HTML, let no payload of the request become markup (test/helpers/fuzz-html.ts).
 * A failure names the request and the fuzzer's seed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import type { Fuzz } from './fuzz';
import { unsafeMarkup } from './fuzz-html';
import { REPO_ROOT } from './process';

export type Body =
  | { json: unknown }
  | { form: Record<string, string | string[]> }
  | { raw: string | Buffer; type: string };

export interface Probe {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
  /** Already encoded as it should go on the wire (query string included). */
  url: string;
  body?: Body;
  headers?: Record<string, string>;
}

type Client = ReturnType<typeof request> | request.Agent;

/** Placeholders of a route path filled in order by `values` (already encoded). */
export function fillPath(path: string, value: (param: string) => string): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => value(name));
}

/** A short, printable description of a probe for failure messages. */
export function describeProbe(probe: Probe): string {
  const body = probe.body === undefined ? '' : ` ${JSON.stringify('raw' in probe.body ? { type: probe.body.type, raw: String(probe.body.raw) } : probe.body)}`;
  const text = `${probe.method} ${probe.url}${body}`;
  return text.length > 600 ? `${text.slice(0, 600)}… (${text.length} characters)` : text;
}

export async function send(client: Client, probe: Probe): Promise<request.Response> {
  const method = probe.method.toLowerCase() as 'get';
  let req = client[method](probe.url).timeout({ response: 15_000, deadline: 20_000 }).redirects(0);
  for (const [name, value] of Object.entries(probe.headers ?? {})) req = req.set(name, value);
  const body = probe.body;
  if (body && 'json' in body) req = req.set('Content-Type', 'application/json').send(JSON.stringify(body.json));
  else if (body && 'form' in body) req = req.type('form').send(body.form);
  else if (body && 'raw' in body) req = req.set('Content-Type', body.type).send(body.raw);
  // Errors are answers to judge, never exceptions: supertest resolves any status.
  return req.ok(() => true);
}

/** The problems of one answer ([] when it is fine). */
export function problemsOf(res: request.Response): string[] {
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`status ${res.status}: ${(res.text ?? '').slice(0, 300)}`);
  const text = res.text ?? '';
  if (text.includes(REPO_ROOT) || /\n\s+at [^\n]+:\d+:\d+\)?/.test(text)) problems.push('a stack trace or a file path in the answer');
  if (/html/.test(String(res.headers['content-type'] ?? ''))) problems.push(...unsafeMarkup(text));
  return problems;
}

/** Sends the probe and fails with its description and the seed unless the answer is fine. */
export async function probeOk(client: Client, probe: Probe, fz: Pick<Fuzz, 'seed'>): Promise<request.Response> {
  let res: request.Response;
  try {
    res = await send(client, probe);
  } catch (err) {
    throw new Error(`seed ${fz.seed}: ${describeProbe(probe)} got no answer: ${(err as Error).message}`, { cause: err });
  }
  const problems = problemsOf(res);
  if (problems.length > 0) throw new Error(`seed ${fz.seed}: ${describeProbe(probe)}\n  ${problems.join('\n  ')}`);
  return res;
}

/**
 * Call at the top of a test file: `app` served on a loopback port for the whole file
 * (supertest would otherwise start and stop a server for every request, twice as slow).
 */
export function listen(app: Express): { server(): http.Server; url(): string } {
  const server = http.createServer(app);
  beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { server: () => server, url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A supertest client without cookies. */
export const client = (server: http.Server): Client => request(server);
