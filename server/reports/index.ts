/**
 * Reports, the public surface: filters from the URL, figures summed from rollups, the
 * statistics, the page frame (navigation and filter form) and the backbone's router.
 * Trends, comments, exports, alerts and the digest build on these.
 */
export * from './filters';
export * from './figures';
export * from './stats';
export { reportNav, reportFilterForm, reportPageLocals, type ReportSection, type PageOptions } from './page';
export { reportRoutes } from './routes';
export { warmChartThread } from './chart-thread';
