/**
 * `$set` of scalars on the stored bytes: wherever it applies, the very document the general
 * update makes (types, values and field order); everywhere else it declines and the general
 * update runs. Through the driver: the result, the indexes it moves, the unique ones it
 * must refuse, what it counts as read, and a restart.
 */
import { Binary, Decimal128, Double, Int32, Long, ObjectId, serialize, Timestamp } from 'bson';
import { type Document } from 'mongodb';
import { plainSets, setBytes } from '../../server/db/embedded/query/set-bytes';
import { compileUpdate } from '../../server/db/embedded/query/update';
import { deserializeDoc, serializeDoc, type Doc } from '../../server/db/embedded/query/values';
import { startTestEngine, type TestEngine } from '../helpers/engine';

const WHEN = new Date(Date.UTC(2026, 11, 2, 9, 30));

/** A stored invitation-like document with fields of every kind the walk must step over. */
function stored(): Buffer {
  return Buffer.from(serialize({
    _id: new ObjectId('65a1b2c3d4e5f60718293a4b'),
    state: 'sent',
    customer: { email: 'a@example.fr', locale: 'fr' },
    tokenHashes: ['ab', 'cd'],
    bin: new Binary(Buffer.from([1, 2, 3]), 0),
    pattern: /ab+c/i,
    answeredAt: null,
    reminderAt: WHEN,
    attempts: new Int32(1),
    score: new Double(2.5),
    big: Long.fromNumber(5),
    exact: Decimal128.fromString('1.5'),
    flag: true,
    after: 'still here',
  }));
}

/** What the general update makes of the same document and update, as bytes. */
function general(bytes: Buffer, update: Doc): Buffer {
  return serializeDoc(compileUpdate(update).apply(deserializeDoc(bytes)).doc);
}

function inPlace(bytes: Buffer, update: Doc): Buffer | null {
  const sets = plainSets(update);
  return sets && setBytes(bytes, sets);
}

describe('$set on stored bytes', () => {
  const cases: [string, Doc][] = [
    ['a longer string, a date for a null, a null for a date', { $set: { state: 'answered', answeredAt: WHEN, reminderAt: null } }],
    ['a shorter string', { $set: { state: 'x' } }],
    ['numbers of another type', { $set: { attempts: new Double(1.5), score: new Int32(3), big: new Int32(7) } }],
    ['an ObjectId, a Long, a Decimal128 and a boolean in place of other types', { $set: { state: new ObjectId('65a1b2c3d4e5f60718293a4c'), flag: Long.fromNumber(9), exact: Decimal128.fromString('2.25'), after: false } }],
    ['the first and the last field', { $set: { state: 'opened', after: 'changed' } }],
    ['with $setOnInsert beside it', { $set: { state: 'answered' }, $setOnInsert: { level: 'coarse' } }],
  ];
  it.each(cases)('gives what the general update gives: %s', (_name, update) => {
    const bytes = stored();
    const patched = inPlace(bytes, update);
    expect(patched).not.toBeNull();
    expect(patched!.equals(general(bytes, update))).toBe(true);
    // A copy: the stored document is never written to.
    expect(bytes.equals(stored())).toBe(true);
  });

  it('declines a field the document lacks (the general update appends it in its own order)', () => {
    expect(plainSets({ $set: { state: 'answered', openedAt: WHEN } })).not.toBeNull();
    expect(inPlace(stored(), { $set: { state: 'answered', openedAt: WHEN } })).toBeNull();
  });

  it('takes only updates made of $set on top-level fields by scalars', () => {
    for (const update of [
      { $set: { 'customer.locale': 'en' } },
      { $set: { _id: 1 } },
      // Parsed, so that __proto__ is a field of its own rather than the literal's prototype.
      JSON.parse('{ "$set": { "__proto__": 1 } }') as Doc,
      { $set: { customer: { email: 'b@example.fr' } } },
      { $set: { tokenHashes: ['ef'] } },
      { $set: { at: new Timestamp({ t: 0, i: 0 }) } },
      { $set: { state: undefined } },
      { $set: { pattern: /x/ } },
      { $set: { bin: new Binary(Buffer.from([1])) } },
      { $set: {} },
      { $set: { state: 'answered' }, $unset: { reminderAt: '' } },
      { $set: { state: 'answered' }, $inc: { attempts: 1 } },
      { $set: { state: 'answered' }, $setOnInsert: { state: 'sent' } },
      { $set: { state: 'answered' }, $setOnInsert: { level: { nested: 1 } } },
      { state: 'answered' },
      [{ $set: { state: 'answered' } }],
    ]) {
      expect(plainSets(update)).toBeNull();
    }
    expect(plainSets({ $set: { state: 'answered', answeredAt: WHEN, reminderAt: null } })).toEqual(
      new Map<string, unknown>([['state', 'answered'], ['answeredAt', WHEN], ['reminderAt', null]]),
    );
  });
});

describe('scalar updates through the driver', () => {
  let t: TestEngine;
  beforeEach(async () => {
    t = await startTestEngine();
  });
  afterEach(async () => {
    await t.destroy();
  });

  it('set exactly, move the index entries they change, read the document once and survive a restart', async () => {
    const invitations = t.db.collection<Document>('invitations');
    await invitations.createIndex({ state: 1, reminderAt: 1 });
    await invitations.createIndex({ callId: 1 }, { unique: true });
    await invitations.createIndex({ nextAttemptAt: 1 }, { partialFilterExpression: { state: 'scheduled' } });
    const ids = [new ObjectId(), new ObjectId(), new ObjectId()];
    await invitations.insertMany(
      ids.map((_id, i) => ({ _id, callId: `call-${i}`, state: i === 2 ? 'scheduled' : 'sent', reminderAt: WHEN, nextAttemptAt: WHEN, answeredAt: null, customer: { locale: 'fr' }, updatedAt: null })),
    );
    const answerable = { $in: ['scheduled', 'sent', 'opened'] };
    const answered = (at: Date) => ({ $set: { state: 'answered', answeredAt: at, reminderAt: null, nextAttemptAt: null, updatedAt: at } });

    const before = await scanned(t);
    const first = await invitations.updateOne({ _id: ids[0], state: answerable }, answered(WHEN));
    expect((await scanned(t)) - before).toBe(1);
    expect([first.matchedCount, first.modifiedCount]).toEqual([1, 1]);
    // The filter no longer matches: nothing changes, as the general update would say.
    const again = await invitations.updateOne({ _id: ids[0], state: answerable }, answered(new Date()));
    expect([again.matchedCount, again.modifiedCount]).toEqual([0, 0]);
    // The same values again: matched, not modified.
    const same = await invitations.updateOne({ _id: ids[0] }, answered(WHEN));
    expect([same.matchedCount, same.modifiedCount]).toEqual([1, 0]);
    // A partial index's entry leaves with its condition.
    await invitations.updateOne({ _id: ids[2], state: answerable }, answered(WHEN));

    // A field the document lacks: the general update, which appends it.
    const opened = await invitations.updateOne({ _id: ids[1] }, { $set: { openedAt: WHEN, updatedAt: WHEN } });
    expect([opened.matchedCount, opened.modifiedCount]).toEqual([1, 1]);

    const expected = { _id: ids[0], callId: 'call-0', state: 'answered', reminderAt: null, nextAttemptAt: null, answeredAt: WHEN, customer: { locale: 'fr' }, updatedAt: WHEN };
    // Field order too: the fields set stay where they were.
    expect(Object.entries((await invitations.findOne({ _id: ids[0] }))!)).toEqual(Object.entries(expected));
    expect(Object.keys((await invitations.findOne({ _id: ids[1] }))!)).toEqual(['_id', 'callId', 'state', 'reminderAt', 'nextAttemptAt', 'answeredAt', 'customer', 'updatedAt', 'openedAt']);
    const byIndex = async (filter: Document, hint: Document) => (await invitations.find(filter).hint(hint).toArray()).map((d) => d.callId).sort();
    expect(await byIndex({ state: 'sent', reminderAt: WHEN }, { state: 1, reminderAt: 1 })).toEqual(['call-1']);
    expect(await byIndex({ state: 'answered', reminderAt: null }, { state: 1, reminderAt: 1 })).toEqual(['call-0', 'call-2']);
    expect(await byIndex({ state: 'scheduled', nextAttemptAt: { $lte: WHEN } }, { nextAttemptAt: 1 })).toEqual([]);

    // A unique index refuses a value another document holds, and the document stays as it was.
    await expect(invitations.updateOne({ _id: ids[1] }, { $set: { callId: 'call-0' } })).rejects.toMatchObject({ code: 11000 });
    expect(await invitations.findOne({ _id: ids[1] }, { projection: { callId: 1, state: 1 } })).toEqual({ _id: ids[1], callId: 'call-1', state: 'sent' });
    expect(await invitations.countDocuments({ callId: 'call-0' })).toBe(1);

    await t.stop();
    t = await startTestEngine(t.dbPath);
    const reopened = t.db.collection<Document>('invitations');
    expect(await reopened.findOne({ _id: ids[0] })).toEqual(expected);
    expect((await reopened.find({ state: 'answered' }).hint({ state: 1, reminderAt: 1 }).toArray()).map((d) => d.callId).sort()).toEqual(['call-0', 'call-2']);
  });
});

async function scanned(t: TestEngine): Promise<number> {
  const status = await t.db.admin().command({ serverStatus: 1 });
  return status.metrics.queryExecutor.scannedObjects as number;
}
