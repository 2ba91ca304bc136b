/**
 * The dispatch worker's look-up of the suppression list just before each send, batched:
 * the first question waits WINDOW_MS for others, one query is in flight at a time, and
 * the lanes that ask meanwhile share the next one (suppressionsByHash). When thousands of
 * emails drain at once this is one query per several emails instead of one per two or
 * three, and database round trips are most of the worker's own CPU.
 * Every answer still comes from a query started after the email was claimed: nothing is
 * cached. The list itself belongs to server/suppressions.
 */
import { hashEmail, suppressionsByHash } from '../suppressions';

export type SuppressionCheck = (email: string) => Promise<boolean>;

/**
 * How long the first question of a burst waits for others. Each lane then waits up to
 * this much longer before its send, which costs a draining worker nothing (its lanes
 * mostly wait for a free SMTP connection) and cuts the queries per email.
 */
const WINDOW_MS = 10;

interface Waiting {
  hash: string;
  resolve: (suppressed: boolean) => void;
  reject: (err: unknown) => void;
}

export function createSuppressionCheck(): SuppressionCheck {
  let waiting: Waiting[] = [];
  let busy = false;

  async function lookUp(batch: Waiting[]): Promise<void> {
    try {
      const found = await suppressionsByHash(batch.map((w) => w.hash));
      for (const w of batch) w.resolve(found.has(w.hash));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }

  /** Queries for what waits, then for whatever came in during that query, until nobody waits. */
  async function run(): Promise<void> {
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      await lookUp(batch);
    }
    busy = false;
  }

  return (email) =>
    new Promise<boolean>((resolve, reject) => {
      // Started a little later, not now: lanes asking meanwhile share the first query.
      if (!busy) {
        busy = true;
        setTimeout(() => void run(), WINDOW_MS);
      }
      waiting.push({ hash: hashEmail(email), resolve, reject });
    });
}
