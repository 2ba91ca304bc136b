/**
 * Alerts, the public surface: the sender that emails a site's quality leads about unhappy
 * customers within minutes (batched, at most one email per lead per 15 minutes), the
 * process wrapper main.ts starts, and the lead lookup and polling loop the digest shares.
 */
export { startAlertSender, runAlerts, stopWithin, stopBounded, ALERT_POLL_MS, type AlertSender, type AlertSenderOptions, type RunningJob } from './process';
export { runAlertPass, ALERT_GAP_MS, type AlertPass } from './sender';
export { qualityLeads, leadsOfSite } from './leads';
export { startPolling, type PollingLoop } from './loop';
export { excerpt, answerSummary, commentUrl } from './email';
