/**
 * The dispatch worker's look-up of the suppression list just before each send, batched:
 * lanes that ask in the same moment share one query (suppressionsByHash), which matters
 * when thousands of emails drain at once. The list itself belongs to server/suppressions.
 */
import { hashEmail, suppressionsByHash } from '../suppressions';

export type SuppressionCheck = (email: string) => Promise<boolean>;

export function createSuppressionCheck(): SuppressionCheck {
  let waiting: { hash: string; resolve: (suppressed: boolean) => void; reject: (err: unknown) => void }[] = [];

  async function lookUp(): Promise<void> {
    const batch = waiting;
    waiting = [];
    try {
      const found = await suppressionsByHash(batch.map((w) => w.hash));
      for (const w of batch) w.resolve(found.has(w.hash));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }

  return (email) =>
    new Promise<boolean>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(() => void lookUp());
      waiting.push({ hash: hashEmail(email), resolve, reject });
    });
}
