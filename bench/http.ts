/**
 * The benchmarks' HTTP client: plain node:http over a keep-alive agent, so that what a
 * suite measures is the server, not the client (fetch costs several times more CPU).
 */
import http from 'node:http';

export interface Reply {
  status: number;
  text: string;
  cookies: string[];
}

/** One request; `body` is sent as is (set its content-type in `headers`). */
export function send(agent: http.Agent, url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  const headers = { ...options.headers };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), cookies: res.headers['set-cookie'] ?? [] }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
