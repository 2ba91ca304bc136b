/**
 * Mongoose against the embedded engine: model initialisation and indexes, validation,
 * documents saved and updated, populate, upserts with defaults, counting, sessions,
 * and many concurrent writers over the driver's connection pool.
 */
import mongoose, { Schema, type Connection } from 'mongoose';
import { startTestEngine, type TestEngine } from '../helpers/engine';

let t: TestEngine;
let conn: Connection;

const siteSchema = new Schema({ code: { type: String, required: true, unique: true }, name: String, timezone: { type: String, default: 'Europe/Paris' } }, { timestamps: true });
const callSchema = new Schema({
  externalId: { type: String, required: true, unique: true },
  site: { type: Schema.Types.ObjectId, ref: 'Site' },
  durationSec: Number,
  tags: [String],
  customer: { email: String, locale: { type: String, enum: ['fr', 'en'] } },
});

beforeAll(async () => {
  t = await startTestEngine(undefined, 'mongoose');
  conn = await mongoose.createConnection(t.server.uri, { dbName: 'mongoose' }).asPromise();
});
afterAll(async () => {
  await conn.close();
  await t.destroy();
});

describe('Mongoose models', () => {
  it('creates collections and indexes on init and enforces unique paths', async () => {
    const Site = conn.model('Site', siteSchema);
    await Site.init();
    await Site.create({ code: 'ABV', name: 'Abbeville' });
    await expect(Site.create({ code: 'ABV', name: 'Again' })).rejects.toMatchObject({ code: 11000 });
    const indexes = await Site.listIndexes();
    expect(indexes.map((i) => i.name)).toEqual(['_id_', 'code_1']);
  });

  it('saves, modifies, populates and counts documents', async () => {
    const Site = conn.model('Site');
    const Call = conn.model('Call', callSchema);
    await Call.init();
    const site = await Site.findOne({ code: 'ABV' }).orFail();
    const call = await Call.create({ externalId: 'pbx-1', site: site._id, durationSec: 312, tags: ['billing'], customer: { email: 'c@example.fr', locale: 'fr' } });
    call.tags.push('callback');
    call.durationSec = 400;
    await call.save();
    const back = await Call.findById(call._id).populate('site').lean();
    expect(back).toMatchObject({ durationSec: 400, tags: ['billing', 'callback'], site: { code: 'ABV' } });
    expect(await Call.countDocuments({ 'customer.locale': 'fr' })).toBe(1);
    expect(await Call.estimatedDocumentCount()).toBe(1);
  });

  it('upserts with schema defaults and timestamps', async () => {
    const Site = conn.model('Site');
    const doc = await Site.findOneAndUpdate({ code: 'DRX' }, { $set: { name: 'Dreux' } }, { upsert: true, new: true }).lean();
    expect(doc).toMatchObject({ code: 'DRX', name: 'Dreux', timezone: 'Europe/Paris' });
    expect((doc as { createdAt?: Date }).createdAt).toBeInstanceOf(Date);
  });

  it('rejects invalid documents before they reach the database', async () => {
    const Call = conn.model('Call');
    await expect(Call.create({ externalId: 'x', customer: { locale: 'de' } })).rejects.toThrow(/not a valid enum value/);
    expect(await Call.countDocuments({ externalId: 'x' })).toBe(0);
  });

  it('opens sessions for plain operations', async () => {
    const Site = conn.model('Site');
    const session = await conn.startSession();
    try {
      expect(await Site.countDocuments({}).session(session)).toBeGreaterThan(0);
    } finally {
      await session.endSession();
    }
  });

  it('keeps every write of 100 concurrent writers and never half of one', async () => {
    const Counter = conn.model('Counter', new Schema({ _id: String, n: Number, a: Number, b: Number }));
    await Counter.create({ _id: 'c', n: 0, a: 0, b: 0 });
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        Promise.all([
          Counter.updateOne({ _id: 'c' }, { $inc: { n: 1, a: i, b: -i } }),
          Counter.findById('c').lean().then((d) => expect(d!.a! + d!.b!).toBe(0)),
        ]),
      ),
    );
    expect(await Counter.findById('c').lean()).toMatchObject({ n: 100, a: 4950, b: -4950 });
  });
});
