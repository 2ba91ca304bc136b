/**
 * Anonymising responses: the customer's own words (every text answer, the joined text, a
 * lead's note about them) and the address hash go; the scored and chosen answers stay, so
 * reports keep their figures. The rollups follow the responses' change protocol (see
 * server/responses/service.ts): the write marks the response pending with one more
 * uncounted change, its exact change is counted, then taken off; never a recount, which
 * would count saves still in flight twice. A crash in between leaves it for the recount at start.
 */
import type { mongo, Types } from 'mongoose';
import { markCountedMany, ResponseModel, type ResponseRecord } from '../responses';
import { applyResponseChanges, responseFacts, type ResponseChange } from '../rollups';
import { getVersion, type Answers, type TemplateDefinition } from '../templates';

type Stored = ResponseRecord;
const collection = () => ResponseModel.collection as unknown as mongo.Collection<Stored>;

/**
 * The answers erasure keeps. With the version's definition: all but its text questions'.
 * Without it (a version that cannot be read): numbers, yes/no and lists of options only,
 * since any other string might be someone's words.
 */
export function keptAnswers(answers: Answers, definition: TemplateDefinition | null): Answers {
  const texts = new Set(definition?.questions.filter((q) => q.type === 'text').map((q) => q.id) ?? []);
  const keep = (id: string, value: unknown): boolean => {
    if (definition) return !texts.has(id);
    if (typeof value === 'number' || typeof value === 'boolean') return true;
    if (Array.isArray(value)) return value.every((v) => typeof v === 'string' && v.length <= 100);
    return value === 'yes' || value === 'no';
  };
  return Object.fromEntries(Object.entries(answers ?? {}).filter(([id, value]) => keep(id, value)));
}

interface Planned {
  doc: Stored;
  set: Record<string, unknown>;
  after: Stored;
}

/** What erasing changes on one response; null when it holds nothing of the customer's any more. */
function plan(doc: Stored, definition: TemplateDefinition | null): Planned | null {
  const answers = keptAnswers((doc.answers ?? {}) as Answers, definition);
  const note = doc.handled?.note ?? '';
  const identified = doc.customerHash !== null || doc.text !== null || note !== '';
  if (!identified && Object.keys(answers).length === Object.keys(doc.answers ?? {}).length) return null;
  const set: Record<string, unknown> = { answers, text: null, customerHash: null, ...(doc.handled ? { 'handled.note': '' } : {}) };
  return { doc, set, after: { ...doc, answers, text: null, customerHash: null } as unknown as Stored };
}

async function definitionsOf(docs: Stored[]): Promise<Map<string, TemplateDefinition | null>> {
  const found = new Map<string, TemplateDefinition | null>();
  for (const id of new Set(docs.map((d) => d.templateVersionId))) {
    found.set(id, await getVersion(id).then((v) => v.definition, () => null));
  }
  return found;
}

/**
 * Anonymises these responses and keeps the rollups equal to them. Each write applies only
 * to the response as read (a save in between would otherwise be overwritten with older
 * answers); one that a save changed first is left for the next pass. Idempotent.
 * Returns how many responses changed.
 */
export async function anonymiseResponses(ids: Types.ObjectId[]): Promise<number> {
  if (ids.length === 0) return 0;
  const docs = await collection().find({ _id: { $in: ids } }).toArray();
  const definitions = await definitionsOf(docs);
  const planned = docs.map((d) => plan(d, definitions.get(d.templateVersionId) ?? null)).filter((p): p is Planned => p !== null);
  // A write like a save's: pending, one more uncounted change, counted next (see server/responses/service.ts).
  const written = await Promise.all(
    planned.map(async (p) => {
      const update = { $set: { ...p.set, rollupPending: true }, $inc: { revision: 1, rollupUncounted: 1 } };
      const before = await collection().findOneAndUpdate({ _id: p.doc._id, revision: p.doc.revision }, update, { projection: { _id: 1 } });
      return before ? p : null;
    }),
  ).then((all) => all.filter((p): p is Planned => p !== null));
  if (written.length === 0) return 0;
  await applyResponseChanges(written.map((p): ResponseChange => ({ before: responseFacts(p.doc), after: responseFacts(p.after) })));
  await markCountedMany(written.map(({ doc }) => doc.invitationId));
  return written.length;
}

/** The responses of these invitations. */
export async function responsesOfInvitations(invitationIds: Types.ObjectId[]): Promise<Types.ObjectId[]> {
  if (invitationIds.length === 0) return [];
  const rows = await collection()
    .find({ invitationId: { $in: invitationIds.map(String) } }, { projection: { _id: 1 } })
    .toArray();
  return rows.map((r) => r._id);
}

/** The responses still carrying this address hash. */
export async function responsesOfCustomer(hash: string): Promise<Types.ObjectId[]> {
  const rows = await collection().find({ customerHash: hash }, { projection: { _id: 1 } }).toArray();
  return rows.map((r) => r._id);
}
