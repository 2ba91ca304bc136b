/**
 * The first pass over a batch, shared by ingest and the CSV import's check step: each
 * item's shape (Joi), its queue and site, and repeats (already stored, or earlier in the
 * batch). What remains is a list of new, resolved calls ready for eligibility.
 */
import { loadQueues, loadReferences, resolveCall, storedExternalIds, type ResolvedCall } from './lookups';
import { checkCall, expectedCall, externalIdOf, queueCodeOf, type CallInput } from './schemas';

type Verdict = { externalId: string; outcome: 'invalid' | 'duplicate'; reason: string };

export interface Screened {
  /** Per item: the final outcome when it is invalid or a duplicate, else null. */
  verdicts: (Verdict | null)[];
  /** New, valid calls with their item index, in input order. */
  fresh: { index: number; resolved: ResolvedCall }[];
}

export interface Screening {
  /**
   * Per item, the call as its check will read it if it is valid, resolved (null when it
   * cannot be valid or names an unknown queue or site): what the batch's other lookups can
   * be sent for before its calls are checked.
   */
  expected: (ResolvedCall | null)[];
  /**
   * Checks the items [from, to) into `verdicts`, returning the new calls among them; parts
   * are checked in input order, so a repeat of an earlier part's call is found.
   */
  check(from: number, to: number): Promise<Screened['fresh']>;
  /** Per item so far checked, its verdict (null for a new call). */
  verdicts: (Verdict | null)[];
}

/**
 * Sends the batch's lookups (repeats, queues, then sites) from its items as sent, then
 * lets the caller check it part by part: the stored-repeat lookup is answered while the
 * first part is being checked.
 */
export async function startScreening(items: readonly unknown[], now: Date): Promise<Screening> {
  const storedLookup = storedExternalIds([...new Set(items.map(externalIdOf).filter(Boolean))]);
  storedLookup.catch(() => undefined); // awaited by the first check, where a failure is reported
  const queues = await loadQueues(items.map(queueCodeOf).filter(Boolean));
  const expectedCalls = items.map(expectedCall);
  const refs = await loadReferences(
    expectedCalls.filter((c): c is CallInput => c !== null),
    queues,
  );
  const expected = expectedCalls.map((call) => {
    const result = call && resolveCall(call, refs);
    return result && 'resolved' in result ? result.resolved : null;
  });

  const verdicts: Screening['verdicts'] = items.map(() => null);
  const seen = new Set<string>();
  let stored: Set<string> | undefined;
  const check = async (from: number, to: number): Promise<Screened['fresh']> => {
    const checked: { index: number; call: CallInput }[] = [];
    for (let index = from; index < to; index++) {
      const raw = items[index];
      const { value, reason } = checkCall(raw, now);
      if (value) checked.push({ index, call: value });
      else verdicts[index] = { externalId: externalIdOf(raw), outcome: 'invalid', reason };
    }
    // A queue or site that only the checked reading names (never expected: both read alike) is looked up now.
    const queueCodes = checked.map((c) => c.call.queue).filter((code) => !refs.queues.has(code));
    if (queueCodes.length > 0) for (const [code, queue] of await loadQueues(queueCodes)) refs.queues.set(code, queue);
    const more = await loadReferences(
      checked.map((c) => c.call),
      refs.queues,
      refs.sites,
    );
    for (const [code, site] of more.sites) refs.sites.set(code, site);
    stored ??= await storedLookup;

    const fresh: Screened['fresh'] = [];
    for (const { index, call } of checked) {
      const result = resolveCall(call, refs, expected[index]);
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
    return fresh;
  };
  return { expected, check, verdicts };
}

/** The whole batch at once (the CSV import's check step). */
export async function screenCalls(items: readonly unknown[], now: Date): Promise<Screened> {
  const screening = await startScreening(items, now);
  const fresh = await screening.check(0, items.length);
  return { verdicts: screening.verdicts, fresh };
}
