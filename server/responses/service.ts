/**
 * Saving answers: one response per invitation, created by the first save and updated by
 * every later one, with its headline fields, its alert flag and the reporting rollups kept
 * in step in the same call (the rollup protocol: write with rollupPending and one more
 * uncounted save, count the change, take the save off; the flag clears at zero). A save
 * answers once its change is counted; taking it off follows just after (countsSettled()
 * waits for that: shutdown, tests). Answers arrive checked against the version (server/survey).
 */
import type { mongo } from 'mongoose';
import { createCoalescer } from '../db';
import { Conflict } from '../errors';
import type { Locale } from '../i18n';
import { applyResponseChanges, countResponseChange, responseFacts } from '../rollups';
import type { Answers, TemplateDefinition } from '../templates';
import { isDuplicateKey, newResponse, responses, writeFullGroup, type Stored, type Written } from './full-writes';
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
  /** Work that needs the answers stored (the invitation marked answered): runs alongside the rollup update. */
  whenStored?: () => Promise<void>;
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
  await Promise.all([settleRollups(before, after), input.whenStored?.()]);
  return savedOf(after);
}

function savedOf(after: Stored): SavedResponse {
  return { complete: after.complete, revision: after.revision, answers: after.answers as Answers };
}

/**
 * The submitted forms of the moment, saved as one group from start to end: their writes,
 * then their rollup change (one write) beside each one's whenStored, then the saves taken
 * off their responses (one write). Submits arriving meanwhile wait and form the next
 * group, so a burst costs a few round trips per group rather than per stage; the next
 * group starts once this one's writes are done, while this one is counted. A failed
 * write fails the whole group (its saves stay pending for the recount at start); a failed
 * whenStored fails only its own submit.
 */
async function saveFullMany(inputs: SaveAnswersInput[], release: () => void): Promise<(SavedResponse | { failed: unknown })[]> {
  const written = await writeFullGroup(inputs.map((save) => ({ save, now: save.now ?? new Date() })));
  release();
  const changes = written.map(({ before, after }) => ({ before: before ? responseFacts(before) : null, after: responseFacts(after) }));
  const [counted, ...stored] = await Promise.allSettled([applyResponseChanges(changes), ...inputs.map((input) => input.whenStored?.())]);
  if (counted?.status === 'rejected') throw counted.reason;
  takeOffSoon(markCountedMany(written.map(({ after }) => after.invitationId)));
  return written.map(({ after }, i) => {
    const done = stored[i];
    return done?.status === 'rejected' ? { failed: done.reason as unknown } : savedOf(after);
  });
}

const fullSaves = createCoalescer(saveFullMany, { maxBatch: 256 });

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
  if (invitationIds.length === 0) return;
  const saves = new Map<string, number>();
  for (const id of invitationIds) saves.set(id, (saves.get(id) ?? 0) + 1);
  const byCount = new Map<number, string[]>();
  for (const [id, n] of saves) {
    const ids = byCount.get(n);
    if (ids) ids.push(id);
    else byCount.set(n, [id]);
  }
  const ops = [...byCount].flatMap(([n, ids]): mongo.AnyBulkWriteOperation<Stored>[] => [
    { updateMany: { filter: { invitationId: { $in: ids }, rollupUncounted: n }, update: { $set: { rollupUncounted: 0, rollupPending: false } } } },
    { updateMany: { filter: { invitationId: { $in: ids }, rollupUncounted: { $gt: n } }, update: { $inc: { rollupUncounted: -n } } } },
  ]);
  await responses().bulkWrite(ops, { ordered: true });
}

const markCounted = createCoalescer(markCountedMany, { maxBatch: 256 });
