/**
 * The first pass over a batch, shared by ingest and the CSV import's check step: each
 * item's shape (Joi), its queue and site, and repeats (already stored, or earlier in the
 * batch). What remains is a list of new, resolved calls ready for eligibility.
 */
import { loadQueues, loadReferences, resolveCall, storedExternalIds, type ResolvedCall } from './lookups';
import { checkCall, externalIdOf, queueCodeOf, type CallInput } from './schemas';

export interface Screened {
  /** Per item: the final outcome when it is invalid or a duplicate, else null. */
  verdicts: ({ externalId: string; outcome: 'invalid' | 'duplicate'; reason: string } | null)[];
  /** New, valid calls with their item index, in input order. */
  fresh: { index: number; resolved: ResolvedCall }[];
}

export async function screenCalls(items: readonly unknown[], now: Date): Promise<Screened> {
  // The repeat and queue lookups need only identifiers as sent (normalised as validation
  // will): the database answers them while the calls are being checked.
  const storedLookup = storedExternalIds([...new Set(items.map(externalIdOf).filter(Boolean))]);
  const queueLookup = loadQueues(items.map(queueCodeOf).filter(Boolean));
  for (const early of [storedLookup, queueLookup]) early.catch(() => undefined); // awaited below, where a failure is reported
  await new Promise((resolve) => setImmediate(resolve));

  const verdicts: Screened['verdicts'] = items.map(() => null);
  const checked: { index: number; call: CallInput }[] = [];
  items.forEach((raw, index) => {
    const { value, reason } = checkCall(raw, now);
    if (value) checked.push({ index, call: value });
    else verdicts[index] = { externalId: externalIdOf(raw), outcome: 'invalid', reason };
  });

  const [refs, stored] = await Promise.all([queueLookup.then((queues) => loadReferences(checked.map((c) => c.call), queues)), storedLookup]);
  const seen = new Set<string>();
  const fresh: Screened['fresh'] = [];
  for (const { index, call } of checked) {
    const result = resolveCall(call, refs);
    if ('reason' in result) {
      verdicts[index] = { externalId: call.externalId, outcome: 'invalid', reason: result.reason };
    } else if (stored.has(call.externalId) || seen.has(call.externalId)) {
      const reason = stored.has(call.externalId) ? 'already received' : 'repeated in this batch';
      verdicts[index] = { externalId: call.externalId, outcome: 'duplicate', reason };
    } else {
      seen.add(call.externalId);
      fresh.push({ index, resolved: result.resolved });
    }
  }
  return { verdicts, fresh };
}
