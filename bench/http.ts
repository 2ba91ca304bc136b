/**
 * The benchmarks' HTTP client: plain node:http over a keep-alive agent, so that what a
 * suite measures is the server, not the client (fetch costs several times more CPU).
 */
import http from 'node:http';

export interface Reply {
  status: number;
  text: string;
  cookies: string[];
  headers: http.IncomingHttpHeaders;
}

/** One request; `body` is sent as is (set its content-type in `headers`); `timeoutMs`: fail when no answer comes within it. */
export function send(agent: http.Agent, url: string, options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<Reply> {
  const headers = { ...options.headers };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), cookies: res.headers['set-cookie'] ?? [], headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.timeoutMs) req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.end(options.body);
  });
}
