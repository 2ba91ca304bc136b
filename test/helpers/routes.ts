/**
 * listRoutes(app): every route of an Express 5 app as mounted — the method and the full
 * path (with its :params) — by walking the router stack and the routers mounted in it.
 * Tests use it to hold a table per route (access matrix, CSRF) that fails when a route is
 * added or removed without the table following.
 */
import type { Express } from 'express';

export interface RouteEntry {
  method: string;
  path: string;
}

/** The parts of router 2.x's Layer and Route this walk reads (its own types call them internal). */
interface WalkedRoute {
  methods: Record<string, boolean | undefined>;
}
interface WalkedLayer {
  rawPath: string | RegExp | (string | RegExp)[];
  route?: WalkedRoute;
  handle: { stack?: unknown };
}

/** Joins a mount path and a route path the way a request URL sees them. */
function joinPath(base: string, path: string): string {
  if (path === '/' || path === '') return base === '' ? '/' : base;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function pathsOf(layer: WalkedLayer): string[] {
  const raw = Array.isArray(layer.rawPath) ? layer.rawPath : [layer.rawPath];
  // A RegExp path has no readable URL: keep its source so a table still has to name it.
  return raw.map((p) => (p instanceof RegExp ? `regexp:${p.source}` : p));
}

/** HEAD is answered by the GET handler unless a route declares it; `.all()` shows as ALL. */
function methodsOf(route: WalkedRoute): string[] {
  const out = new Set<string>();
  for (const [name, on] of Object.entries(route.methods)) {
    if (!on) continue;
    if (name === '_all') out.add('ALL');
    else if (name === 'head') out.add('GET');
    else out.add(name.toUpperCase());
  }
  return [...out];
}

function walk(stack: WalkedLayer[], base: string, into: Map<string, RouteEntry>): void {
  for (const layer of stack) {
    if (layer.route) {
      for (const path of pathsOf(layer)) {
        const full = joinPath(base, path);
        for (const method of methodsOf(layer.route)) into.set(`${method} ${full}`, { method, path: full });
      }
    } else if (Array.isArray(layer.handle.stack)) {
      // A mounted router (router.use(path, subRouter)): its routes sit under the mount path.
      for (const path of pathsOf(layer)) walk(layer.handle.stack as WalkedLayer[], joinPath(base, path), into);
    }
  }
}

/** Every route of the app, methods uppercase, HEAD folded into GET, deduplicated, sorted by path then method. */
export function listRoutes(app: Express): RouteEntry[] {
  const routes = new Map<string, RouteEntry>();
  walk((app as unknown as { router: { stack: WalkedLayer[] } }).router.stack, '', routes);
  return [...routes.values()].sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path.localeCompare(b.path)));
}
