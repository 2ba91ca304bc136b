/**
 * Writing submitted forms: every answer replaced in one write, whatever was there before,
 * with the response as it was before (the rollups count the difference). The submits of
 * a group (the service's) are written together: one read of their responses, then one
 * bulkWrite of an insert for each response that does not exist yet (the unique
 * invitationId refuses it if one was made meanwhile) and, for each one that does, an
 * update that only applies if it is still at the revision read, so each save knows
 * exactly what it replaced. A save marked probablyNew skips the read and is inserted. A
 * save that lost a race (another save of the same response in between, or a response
 * that existed after all) is written again alone with findOneAndUpdate. Where the
 * database takes writes across collections, the service sends a group's writes
 * (planGroup) in a command of its own.
 */
import { Types, type mongo } from 'mongoose';
import { asCollectionWrite, namespaceOf, type ClientWrite } from '../db';
import type { Answers, TemplateDefinition } from '../templates';
import { headlineOf, needsAlert, type Headline } from './headline';
import { ResponseModel, type Channel, type ResponseRecord } from './model';
import type { ResponseContext } from './service';

export type Stored = ResponseRecord;
export type Written = { before: Stored | null; after: Stored };

/** What a new response starts with, apart from its answers. */
export interface NewResponseInput {
  /** Copied into a new response. */
  context: ResponseContext;
  channel: Channel;
}

export interface FullSave extends NewResponseInput {
  definition: TemplateDefinition;
  answers: Answers;
  /** Not read before the write: created, or (when one exists after all) written alone. */
  probablyNew?: boolean;
}

/**
 * The driver's collection, for the writes every submit makes: their documents are spelled
 * out here (timestamps included), and Mongoose's casting of them would cost more than the writes.
 */
export const responses = () => ResponseModel.collection as unknown as mongo.Collection<Stored>;

/**
 * The fields a response gets when it is created, apart from its answers. Written out field by
 * field, here and in planGroup's insert, rather than spread from the context: V8 builds an
 * object spread from objects of this many fields field by field, 10–14 µs for a response
 * document against 0.2 µs for the literal (measured alone), on every answer.
 */
export function newResponse(input: NewResponseInput, headline: Headline, now: Date) {
  const c = input.context;
  const alert: Stored['alert'] = needsAlert(headline) ? 'pending' : 'none';
  return {
    invitationId: c.invitationId,
    callId: c.callId,
    externalId: c.externalId,
    site: c.site,
    queue: c.queue,
    agent: c.agent,
    reason: c.reason,
    callEndedAt: c.callEndedAt,
    day: c.day,
    customerHash: c.customerHash,
    templateKey: c.templateKey,
    templateVersionId: c.templateVersionId,
    locale: c.locale,
    channel: input.channel,
    startedAt: now,
    handled: null,
    alert,
    createdAt: now,
    __v: 0,
  };
}

export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 11000;
}

export interface Planned {
  save: FullSave;
  now: Date;
}

/** What a save sets (flagged: rollupPending too), and what it creates when its response does not exist yet. */
function changesOf({ save, now }: Planned, flagged = true) {
  const headline = headlineOf(save.definition, save.answers);
  const set = {
    answers: save.answers,
    gotInformation: headline.gotInformation,
    csat: headline.csat,
    nps: headline.nps,
    ces: headline.ces,
    text: headline.text,
    complete: true,
    submittedAt: now,
    ...(flagged ? { rollupPending: true } : {}),
    updatedAt: now,
  };
  return { headline, set, created: newResponse(save, headline, now) };
}

/** One findOneAndUpdate: exact whatever races with it. */
async function writeFullAlone(save: FullSave, now: Date): Promise<Written> {
  const { invitationId } = save.context;
  const { headline, set, created } = changesOf({ save, now });
  const update = { $set: set, $inc: { revision: 1, rollupUncounted: 1 }, $setOnInsert: created };
  let before: Stored | null;
  try {
    before = await responses().findOneAndUpdate({ invitationId }, update, { upsert: true, returnDocument: 'before' });
  } catch (err) {
    // A concurrent first save inserted it between our lookup and our insert: update that one.
    if (!isDuplicateKey(err)) throw err;
    before = await responses().findOneAndUpdate({ invitationId }, update, { returnDocument: 'before' });
    if (!before) throw err;
  }
  if (before && before.alert === 'none' && needsAlert(headline)) {
    await responses().updateOne({ invitationId, alert: 'none' }, { $set: { alert: 'pending' } });
  }
  return written(before, created, set);
}

function written(before: Stored | null, created: object, set: object): Written {
  const base = before ?? ({ ...created, answers: {} } as unknown as Stored);
  return { before, after: { ...base, ...set, revision: (before?.revision ?? 0) + 1 } as Stored };
}

/** The responses of these saves as they are now (none read for a save marked probablyNew), by invitation. */
export async function readCurrent(planned: Planned[]): Promise<Map<string, Stored>> {
  const toRead = [...new Set(planned.filter((p) => !p.save.probablyNew).map((p) => p.save.context.invitationId))];
  const found = toRead.length > 0 ? await responses().find({ invitationId: { $in: toRead } }).toArray() : [];
  return new Map(found.map((r) => [r.invitationId, r]));
}

/** The writes of a group: one per response, and what each save will have written if its write applies. */
export interface GroupWrites {
  /** One per response, as models of a cross-collection command (a collection's bulkWrite takes them through asCollectionWrite). */
  ops: ClientWrite[];
  /** The save of each op. */
  opSave: number[];
  /** Per save: what it wrote once its op applied; null for a save that must be written alone (a second save of one response). */
  results: (Written | null)[];
}

/**
 * The group's writes from the responses read: an insert for each response that does not
 * exist yet (the unique invitationId refuses it if one was made meanwhile) and, for each
 * one that does, an update that only applies if it is still at the revision read, so each
 * save knows exactly what it replaced. `counted`: how the rollup change is kept safe until
 * it is counted: 'flags' marks each response rollupPending with one more uncounted save
 * (taken off after); 'mark' leaves the flags alone, for a group whose command opens a
 * counting mark before these writes and removes it after its rollup change.
 */
export function planGroup(planned: Planned[], current: Map<string, Stored>, counted: 'flags' | 'mark' = 'flags'): GroupWrites {
  const seen = new Set<string>();
  const namespace = namespaceOf(ResponseModel);
  const group: GroupWrites = { ops: [], opSave: [], results: planned.map(() => null) };
  const flagged = counted === 'flags';
  planned.forEach((p, i) => {
    const invitationId = p.save.context.invitationId;
    if (seen.has(invitationId)) return;
    seen.add(invitationId);
    const before = current.get(invitationId) ?? null;
    const { headline, set, created } = changesOf(p, flagged);
    group.opSave.push(i);
    if (!before) {
      // An insert costs the database far less than an upsert, which parses and applies an update.
      // The context (service.ts ResponseContext) carries the rest of the record. The _id comes
      // first, where the database stores it: a document sent without one is reordered there.
      const document = insertedDocument(created, set, flagged);
      group.ops.push({ namespace, name: 'insertOne', document });
      // What written() would make of it, fields for fields: the response as inserted.
      group.results[i] = { before: null, after: document };
      return;
    }
    // The alert flag follows what the save replaces, known exactly since the write is guarded on it.
    const alert = before.alert === 'none' && needsAlert(headline) ? { alert: 'pending' as const } : {};
    // A path cannot be in both $set and $setOnInsert (the write fails): an alert set here leaves the created one out.
    const onInsert: Partial<typeof created> = { ...created };
    if ('alert' in alert) delete onInsert.alert;
    const update = { $set: { ...set, ...alert }, $inc: flagged ? { revision: 1, rollupUncounted: 1 } : { revision: 1 }, $setOnInsert: onInsert };
    group.ops.push({ namespace, name: 'updateOne', filter: { invitationId, revision: before.revision }, update, upsert: true });
    group.results[i] = written(before, created, { ...set, ...alert });
  });
  return group;
}

/** A response inserted by a group: what changesOf creates and sets, the _id first (see newResponse on why written out). */
function insertedDocument(created: ReturnType<typeof newResponse>, set: ReturnType<typeof changesOf>['set'], flagged: boolean): Stored {
  // Typed as a whole record, so that a field the schema gains and this leaves out does not compile.
  const document: Stored & { __v: number } = {
    _id: new Types.ObjectId(),
    invitationId: created.invitationId,
    callId: created.callId,
    externalId: created.externalId,
    site: created.site,
    queue: created.queue,
    agent: created.agent,
    reason: created.reason,
    callEndedAt: created.callEndedAt,
    day: created.day,
    customerHash: created.customerHash,
    templateKey: created.templateKey,
    templateVersionId: created.templateVersionId,
    locale: created.locale,
    channel: created.channel,
    startedAt: created.startedAt,
    handled: created.handled,
    alert: created.alert,
    createdAt: created.createdAt,
    __v: created.__v,
    answers: set.answers,
    gotInformation: set.gotInformation,
    csat: set.csat,
    nps: set.nps,
    ces: set.ces,
    text: set.text,
    complete: set.complete,
    submittedAt: set.submittedAt,
    updatedAt: set.updatedAt,
    rollupPending: flagged,
    revision: 1,
    rollupUncounted: flagged ? 1 : 0,
  };
  return document;
}

/**
 * Many saves in two round trips; null for a save that must be written alone: a second
 * save of a response already in this group, or one whose response changed after the read
 * (its guarded update matches nothing and its upsert collides with the unique
 * invitationId, as does an insert where a response was made meanwhile).
 */
async function writeFullMany(planned: Planned[], current?: Map<string, Stored>): Promise<(Written | null)[]> {
  const { ops, opSave, results } = planGroup(planned, current ?? (await readCurrent(planned)));
  try {
    await responses().bulkWrite(ops.map((op) => asCollectionWrite<Stored>(op)), { ordered: false });
  } catch (err) {
    const errors = (err as { writeErrors?: { index: number; code?: number }[] }).writeErrors;
    if (!Array.isArray(errors) || errors.some((e) => e.code !== 11000)) throw err;
    for (const e of errors) results[opSave[e.index] as number] = null;
  }
  return results;
}

/**
 * The writes of many submitted forms, in the order given: together, then alone for those
 * that must be. `current`: their responses as just read (readCurrent), when the caller has them.
 */
export async function writeFullGroup(planned: Planned[], current?: Map<string, Stored>): Promise<Written[]> {
  const together = await writeFullMany(planned, current);
  return Promise.all(together.map((w, i) => w ?? writeFullAlone(planned[i]!.save, planned[i]!.now)));
}
