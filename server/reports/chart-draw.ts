/**
 * Drawing a Vega-Lite spec as SVG in this thread: compiled by vega-lite and rendered by
 * vega without a browser (both loaded on first use), with what they warn about collected
 * instead of written to the console. The chart thread (chart-thread.ts) runs this.
 */
import type { TopLevelSpec } from 'vega-lite';

type Engines = { vega: typeof import('vega'); vegaLite: typeof import('vega-lite') };
let engines: Promise<Engines> | null = null;

export function loadEngines(): Promise<Engines> {
  engines ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({ vega, vegaLite }));
  return engines;
}

function collectingLogger(vega: Engines['vega'], warnings: string[]) {
  const keep = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
  const logger = vega.logger(vega.Warn);
  return Object.assign(logger, {
    error: (...a: unknown[]) => (keep(...a), logger),
    warn: (...a: unknown[]) => (keep(...a), logger),
    info: () => logger,
    debug: () => logger,
  });
}

/** The SVG of a spec, and what vega and vega-lite said while drawing it. */
export async function drawSvg(spec: object): Promise<{ svg: string; warnings: string[] }> {
  const { vega, vegaLite } = await loadEngines();
  const warnings: string[] = [];
  const logger = collectingLogger(vega, warnings);
  const view = new vega.View(vega.parse(vegaLite.compile(spec as TopLevelSpec, { logger }).spec), { renderer: 'none', logger });
  try {
    return { svg: await view.toSVG(), warnings };
  } finally {
    view.finalize();
  }
}
