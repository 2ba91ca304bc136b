/**
 * Rollups, the public surface: the daily counters reports read, and the calls other
 * features make to keep them current (answers saved, calls surveyed, emails sent).
 */
export * from './model';
