/**
 * The weekly digest, the public surface: each quality lead gets, on Monday at 08:00 in
 * their sites' time zone, last week's headline figures per site and the week's notable
 * comments, once per week whatever restarts (a DigestLog per lead and week).
 */
export { startDigestSender, runDigest, DIGEST_POLL_MS, type DigestSender, type DigestSenderOptions } from './process';
export { runDigestPass } from './sender';
export { dueWeek, mondayOf, DIGEST_TIME, type DigestWeek } from './schedule';
