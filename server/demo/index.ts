/**
 * The demo data, public surface: the start-up step (load on DEMO=1 or a first start, and
 * what the banner prints), the loader and the pure generator (tests and scripts).
 */
export { prepareDemo, demoBannerLines, demoReason, isEmptyDatabase, type DemoStatus } from './first-run';
export { loadDemo, demoMarker, type LoadDemoOptions, type DemoLoadResult } from './load';
export { generateDemo, DEFAULT_SEED, type DemoData, type DemoOptions } from './generate';
export { DEMO_LOGINS, type DemoLogin } from './world';
