/**
 * The HTTP server's life: listen, then drain on shutdown — stop accepting, let
 * in-flight requests finish (bounded), close keep-alive connections as they go idle,
 * and cut whatever is left when the time is up.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';

export interface HttpServer {
  server: http.Server;
  port: number;
  /** Resolves `drained` when every request finished in time, `forced` when some were cut. */
  stop(timeoutMs: number): Promise<'drained' | 'forced'>;
  /** Requests still being answered. */
  inFlight(): number;
}

export function listen(handler: RequestListener, port: number): Promise<HttpServer> {
  const server = http.createServer(handler);
  let active = 0;
  let stopping = false;

  server.on('request', (_req, res) => {
    active += 1;
    // A request that arrives on a kept-alive connection while stopping is the last one on it.
    if (stopping && !res.headersSent) res.setHeader('Connection', 'close');
    res.once('close', () => {
      active -= 1;
      // The connection just went idle: close it instead of waiting for the keep-alive timeout.
      if (stopping) setImmediate(() => server.closeIdleConnections());
    });
  });

  function stop(timeoutMs: number): Promise<'drained' | 'forced'> {
    stopping = true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        server.closeAllConnections();
        resolve('forced');
      }, timeoutMs);
      server.close(() => {
        clearTimeout(timer);
        resolve('drained');
      });
      server.closeIdleConnections();
    });
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve({ server, port: (server.address() as AddressInfo).port, stop, inFlight: () => active });
    });
  });
}
