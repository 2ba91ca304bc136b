/**
 * Saving answers: one response per invitation, created by the first save and updated by
 * every later one, with its headline fields, its alert flag and the reporting rollups kept
 * in step in the same call (the rollup protocol: write with rollupPending and one more
 * uncounted save, count the change, take the save off; the flag clears at zero). A save
 * answers once its change is counted; taking it off follows just after (countsSettled()
 * waits for that: shutdown, tests). Where the database takes writes across collections, a
 * group of submits is one command instead, which a counting mark opens and closes in place
 * of the flags. Answers arrive checked against the version (server/survey).
 */
import { asCollectionWrite, canWriteAcross, createCoalescer, namespaceOf, writeAcross, writeEach, type ClientWrite } from '../db';
import { Conflict } from '../errors';
import type { Locale } from '../i18n';
import { applyResponseChanges, closeMark, countingMark, countResponseChange, responseChangeWrites, responseFacts } from '../rollups';
import type { Answers, TemplateDefinition } from '../templates';
import { isDuplicateKey, newResponse, planGroup, readCurrent, responses, writeFullGroup, type Planned, type Stored, type Written } from './full-writes';
import { headlineOf, needsAlert } from './headline';
import { mergeAnswers } from './merge';
import { ResponseModel, type Channel } from './model';

/** What a response copies from its invitation and template version when it is created. */
export interface ResponseContext {
  invitationId: string;
  callId: string;
  externalId: string;
  site: string;
  queue: string;
  agent: string | null;
  reason: string | null;
  callEndedAt: Date;
  day: string;
  customerHash: string;
  templateKey: string;
  templateVersionId: string;
  locale: Locale;
}

export interface SaveAnswersInput {
  context: ResponseContext;
  definition: TemplateDefinition;
  /** A full submit: every answer (checked, hidden ones dropped). A partial save: the answers it carries. */
  answers: Answers;
  /** A partial save: the questions the customer emptied. */
  cleared?: readonly string[];
  /** True for a submitted form; false for a partial save, which never makes a complete response partial again. */
  complete: boolean;
  /** Kept from the first save only. */
  channel: Channel;
  now?: Date;
  /**
   * Another feature's write that needs the answers stored (the invitation marked answered):
   * it joins the save's own command where the database allows, else runs beside the rollup
   * update. If it fails, this save fails; the answers stay saved.
   */
  alongside?: ClientWrite | null;
  /**
   * A full submit of an invitation whose page was never opened: it seldom has a response
   * yet, so the write creates it without reading first (an existing one is written alone).
   */
  probablyNew?: boolean;
}

export interface SavedResponse {
  complete: boolean;
  /** The revision this save wrote. */
  revision: number;
  answers: Answers;
}


/** The response of an invitation, or null before its first save. */
export async function findResponse(invitationId: string): Promise<Stored | null> {
  return ResponseModel.findOne({ invitationId }).lean<Stored>();
}

/**
 * Saves answers to the invitation's response (creating it on the first save) and counts
 * the change in the rollups before returning. Concurrent saves of one invitation make one
 * response. Throws Conflict (RESPONSE_BUSY) if partial saves keep racing each other.
 */
export async function saveAnswers(input: SaveAnswersInput): Promise<SavedResponse> {
  if (input.complete) {
    const outcome = await fullSaves(input);
    if ('failed' in outcome) throw outcome.failed;
    return outcome;
  }
  const { before, after } = await writePartial(input, input.now ?? new Date());
  const [, alongside] = await Promise.all([settleRollups(before, after), input.alongside ? writeEach([input.alongside]) : []]);
  if (alongside[0]) throw alongside[0];
  return savedOf(after);
}

function savedOf(after: Stored): SavedResponse {
  return { complete: after.complete, revision: after.revision, answers: after.answers as Answers };
}

type GroupOutcome = (SavedResponse | { failed: unknown })[];

interface PlannedSave extends Planned {
  save: SaveAnswersInput;
}

/**
 * The submitted forms of the moment, saved as one group. Where the database takes writes
 * across collections in one command (MongoDB 8), the group is one command after reading
 * the responses it replaces: a counting mark, the responses, their rollup change, the
 * writes that needed them stored, the mark removed, in that order. Elsewhere it goes in
 * stages: the writes, then the rollup change (one write) beside the other writes, then
 * the saves taken off. Submits arriving meanwhile wait and form the next group, which starts once
 * this one's command is answered (in stages: once its writes are sent, so that the next
 * group writes while this one counts). A failed response or rollup write fails the whole group
 * (its saves stay pending for the recount at start); a failed `alongside` write fails
 * only its own submit.
 */
async function saveFullMany(inputs: SaveAnswersInput[], release: () => void): Promise<GroupOutcome> {
  const planned: PlannedSave[] = inputs.map((save) => ({ save, now: save.now ?? new Date() }));
  if (await canWriteAcross()) return saveAtOnce(planned, release);
  const written = await writeFullGroup(planned);
  release();
  return countInStages(planned, written);
}

/** The rollup change of written saves and their alongside writes, then (not waited for) the saves taken off. */
async function countInStages(planned: PlannedSave[], written: Written[]): Promise<GroupOutcome> {
  const changes = written.map(({ before, after }) => ({ before: before ? responseFacts(before) : null, after: responseFacts(after) }));
  const alongside = planned.map((p) => p.save.alongside ?? null);
  const [counted, stored] = await Promise.allSettled([applyResponseChanges(changes), writeEach(alongside.filter((w) => w !== null))]);
  if (counted.status === 'rejected') throw counted.reason;
  takeOffSoon(markCountedMany(written.map(({ after }) => after.invitationId)));
  let next = 0;
  return written.map(({ after }, i) => {
    if (!alongside[i]) return savedOf(after);
    const failed = stored.status === 'rejected' ? stored.reason : stored.value[next];
    next += 1;
    return failed ? { failed } : savedOf(after);
  });
}

/**
 * The group in one ordered command (see saveFullMany): a counting mark opened first and
 * removed last (server/rollups/counting-marks.ts) stands for the per-response flags and
 * take-off of the staged way. Where a write fails, the ones before it are applied and
 * what follows depends on where it stopped: a response write that lost a race (a
 * response made meanwhile) sends the group's remaining saves the staged way, which
 * writes such saves alone, and the mark is removed once they are all counted; an
 * alongside write fails its own submit and the command goes on after it; a failed rollup
 * write fails the group and leaves the mark for the recount at start (MongoDB itself
 * retries an upsert that lost a race on its unique filter), as does a mark whose removal
 * failed.
 */
async function saveAtOnce(planned: PlannedSave[], release: () => void): Promise<GroupOutcome> {
  const current = await readCurrent(planned);
  const group = planGroup(planned, current, 'mark');
  // A second save of one response in the group must be written after the first: the staged way does.
  if (group.results.some((r) => r === null)) {
    const written = await writeFullGroup(planned, current);
    release();
    return countInStages(planned, written);
  }
  const written = group.results as Written[];
  const changes = written.map(({ before, after }) => ({ before: before ? responseFacts(before) : null, after: responseFacts(after) }));
  const counting = responseChangeWrites(changes);
  const alongside = planned.flatMap((p, i) => (p.save.alongside ? [{ write: p.save.alongside, save: i }] : []));
  const mark = countingMark(written.map(({ after }) => after.invitationId), planned[0]!.now);
  const writes = [mark.open, ...group.ops, ...counting, ...alongside.map((a) => a.write), mark.close];
  const opsEnd = 1 + group.ops.length;
  const countingEnds = opsEnd + counting.length;
  const alongsideEnds = countingEnds + alongside.length;
  // The next group waits for this answer rather than following this command in: sent now, it
  // would queue in the database (and the token lookups behind it) while this one runs, and
  // the group gathered meanwhile is larger. Measured in paired rounds on 1,000,000
  // invitations: 17% more submits per second with one group in flight.
  const failed = new Map<number, unknown>();
  let from = 0;
  while (from < writes.length) {
    const stopped = await writeAcross(from === 0 ? writes : writes.slice(from));
    if (!stopped) break;
    const at = from + stopped.at;
    if (at === 0) throw stopped.error;
    if (at < opsEnd) {
      if (!isDuplicateKey(stopped.error)) throw stopped.error;
      const first = group.opSave[at - 1] as number;
      const rest = await writeFullGroup(planned.slice(first));
      const outcome = await countInStages(planned, [...written.slice(0, first), ...rest]);
      // Not removed (the database failed again): the start recounts its buckets, which is exact.
      await closeMark(mark.id).catch(() => undefined);
      return outcome;
    }
    if (at < countingEnds) throw stopped.error;
    if (at >= alongsideEnds) break;
    failed.set(alongside[at - countingEnds]!.save, stopped.error);
    from = at + 1;
  }
  return written.map(({ after }, i) => (failed.has(i) ? { failed: failed.get(i) } : savedOf(after)));
}

// One turn of gathering, as for the token lookups: larger groups, and (in paired runs under
// load) an eighth less of the app process's CPU per answer.
const fullSaves = createCoalescer(saveFullMany, { maxBatch: 256, gatherTurn: true });

const WRITE_OPTIONS = { returnDocument: 'before', lean: true, setDefaultsOnInsert: false } as const;

const PARTIAL_ATTEMPTS = 5;

/** A partial save merges into the stored answers: read, merge, write if nobody wrote meanwhile. */
async function writePartial(input: SaveAnswersInput, now: Date): Promise<Written> {
  const { invitationId } = input.context;
  for (let attempt = 0; attempt < PARTIAL_ATTEMPTS; attempt++) {
    const current = await findResponse(invitationId);
    const answers = mergeAnswers(input.definition, (current?.answers ?? {}) as Answers, input.answers, input.cleared);
    const headline = headlineOf(input.definition, answers);
    if (current) {
      const alert = current.alert === 'none' && needsAlert(headline) ? { alert: 'pending' as const } : {};
      const set = { answers, ...headline, ...alert, rollupPending: true };
      const before = await ResponseModel.findOneAndUpdate(
        { _id: current._id, revision: current.revision },
        { $set: set, $inc: { revision: 1, rollupUncounted: 1 } },
        WRITE_OPTIONS,
      ).lean<Stored>();
      if (before) return { before, after: { ...before, ...set, revision: before.revision + 1 } as Stored };
      continue;
    }
    const doc = { ...newResponse(input, headline, now), answers, ...headline, complete: false, submittedAt: null, revision: 1, rollupPending: true, rollupUncounted: 1 };
    try {
      const created = await ResponseModel.create(doc);
      return { before: null, after: created.toObject() as Stored };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  throw new Conflict('These answers are being saved from elsewhere at the same time. Please try again.', { code: 'RESPONSE_BUSY' });
}

/**
 * Counts the save's exact change in the rollups (each write returns what it replaced, so
 * the changes of racing saves of one response add up to the last state, in whatever
 * order they land), then takes the save off the response's uncounted ones. Never a
 * recount: one made now would count saves still in flight, whose changes land after it.
 * Both writes are grouped with those of the other saves of the moment.
 */
async function settleRollups(before: Stored | null, after: Stored): Promise<void> {
  await countResponseChange(before ? responseFacts(before) : null, responseFacts(after));
  takeOffSoon(markCounted(after.invitationId));
}

const takingOff = new Set<Promise<void>>();

/**
 * Takes counted saves off after the answer: the rollups already hold them, so reports are
 * not behind, and a customer does not wait for a write that only serves crash recovery. A
 * take-off lost to a crash or a failed write leaves its responses pending, and the start
 * recounts their buckets from the responses, which is exact whatever was counted.
 */
function takeOffSoon(write: Promise<void>): void {
  const quiet = write.catch(() => undefined);
  takingOff.add(quiet);
  void quiet.then(() => takingOff.delete(quiet));
}

/**
 * Resolves once every counted save has been taken off its response (before shutting down;
 * tests): true, or false when `timeoutMs` ran out first (those responses stay pending).
 */
export async function countsSettled(timeoutMs = Infinity): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (takingOff.size > 0) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      if (Number.isFinite(timeoutMs)) timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now())).unref();
    });
    const settled = await Promise.race([Promise.all([...takingOff]).then(() => true as const), late]);
    clearTimeout(timer);
    if (!settled) return false;
  }
  return true;
}

/**
 * Takes one counted save off each response and clears rollupPending where none is left
 * uncounted (a save still in flight keeps it; so does a crash, for the recount at start).
 * The last step of every write to a response that changes its rollups (saves, the privacy
 * erasure). One document write per response, two statements per distinct number of saves
 * taken off (two saves of one response in a group take off two), in order: where these
 * saves are all the response has uncounted, the count is zeroed and the flag cleared in
 * the same write; where it has more (a save landed meanwhile), they are subtracted and
 * the flag stays. A response matches one statement or neither, so no save is taken off
 * twice: the engine runs the statements of one command with nothing in between (on
 * MongoDB, writes landing between them keep the count right unless more saves of the
 * response than these land in that instant).
 */
export async function markCountedMany(invitationIds: string[]): Promise<void> {
  const writes = takeOffWrites(invitationIds);
  if (writes.length > 0) await responses().bulkWrite(writes.map((w) => asCollectionWrite<Stored>(w)), { ordered: true });
}

/** markCountedMany's statements, in order, to join another command. */
function takeOffWrites(invitationIds: string[]): ClientWrite[] {
  const saves = new Map<string, number>();
  for (const id of invitationIds) saves.set(id, (saves.get(id) ?? 0) + 1);
  const byCount = new Map<number, string[]>();
  for (const [id, n] of saves) {
    const ids = byCount.get(n);
    if (ids) ids.push(id);
    else byCount.set(n, [id]);
  }
  const namespace = namespaceOf(ResponseModel);
  return [...byCount].flatMap(([n, ids]): ClientWrite[] => [
    { namespace, name: 'updateMany', filter: { invitationId: { $in: ids }, rollupUncounted: n }, update: { $set: { rollupUncounted: 0, rollupPending: false } } },
    { namespace, name: 'updateMany', filter: { invitationId: { $in: ids }, rollupUncounted: { $gt: n } }, update: { $inc: { rollupUncounted: -n } } },
  ]);
}

const markCounted = createCoalescer(markCountedMany, { maxBatch: 256 });
