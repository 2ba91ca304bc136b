/**
 * When the demo loads and how a load survives trouble, on a small demo: DEMO=1 versus a
 * first development start on the embedded engine (never MONGODB_URI, production or tests
 * on their own), a load cut short redone from clean, a load in progress elsewhere left
 * alone, and settings that already exist kept as they are.
 */
import { CallModel } from '../../server/calls/model';
import { demoReason, generateDemo, isEmptyDatabase, loadDemo, prepareDemo } from '../../server/demo';
import { DEMO_ID, DemoLoad } from '../../server/demo/model';
import { Invitation } from '../../server/invitations/model';
import { createLogger } from '../../server/logger';
import { ResponseModel } from '../../server/responses';
import { SiteModel } from '../../server/sites/model';
import { createSite } from '../../server/sites';
import { useTestDatabase } from '../helpers/database';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const NOW = new Date('2026-03-10T14:20:00Z');
const SIZE = 0.05;
const logger = createLogger({ logLevel: 'silent' });
const dev = { demo: false, mongodbUri: undefined, nodeEnv: 'development' } as const;

describe('when the demo loads at start', () => {
  it('loads on a first development start on the embedded engine, and on DEMO=1 whatever the database', async () => {
    expect(await isEmptyDatabase()).toBe(true);
    expect(await demoReason(dev)).toBe('first start');
    expect(await demoReason({ ...dev, demo: true, mongodbUri: 'mongodb://db.example.internal/retour' })).toBe('DEMO=1');
    expect(await demoReason({ ...dev, demo: true, nodeEnv: 'production' })).toBe('DEMO=1');
  });

  it('never loads on its own against MONGODB_URI, in production or in tests', async () => {
    expect(await demoReason({ ...dev, mongodbUri: 'mongodb://db.example.internal/retour' })).toBeNull();
    expect(await demoReason({ ...dev, nodeEnv: 'production' })).toBeNull();
    expect(await demoReason({ ...dev, nodeEnv: 'test' })).toBeNull();
    expect(await prepareDemo({ ...dev, nodeEnv: 'test' }, logger)).toBeNull();
    expect(await DemoLoad.exists({ _id: DEMO_ID })).toBeNull();
  });

  it('does not load on a development start once the database has a site', async () => {
    await createSite('LIL', { name: 'Lille', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' }, { type: 'system' });
    expect(await isEmptyDatabase()).toBe(false);
    expect(await demoReason(dev)).toBeNull();
  });
});

describe('loadDemo', () => {
  it('keeps sites that already exist as they are and adds the demo beside them', async () => {
    await createSite('CAS', { name: 'Casa (ours)', country: 'MA', timezone: 'Africa/Casablanca', locale: 'fr' }, { type: 'system' });
    const result = await loadDemo({ size: SIZE, now: NOW, logger });
    expect(result).toMatchObject({ changed: true, state: 'loaded' });
    expect((await SiteModel.findOne({ code: 'CAS' }).lean())?.name).toBe('Casa (ours)');
    expect((await SiteModel.find().lean()).map((s) => s.code).sort()).toEqual(['ABV', 'CAS', 'DRX', 'LIL']);
    expect(await CallModel.countDocuments()).toBe(generateDemo({ size: SIZE, now: NOW }).calls.length);
  });

  it('reports the demo on later starts without loading it again', async () => {
    const status = await prepareDemo(dev, logger);
    expect(status).toMatchObject({ changed: false, requested: false, state: 'loaded', counts: { sites: 3 } });
    expect(status?.logins.map((l) => l.role)).toEqual(['admin', 'quality']);
  });

  it('says nothing changed when DEMO=1 asks for a demo that is already there', async () => {
    const before = await CallModel.countDocuments();
    const status = await prepareDemo({ ...dev, demo: true }, logger);
    expect(status).toMatchObject({ changed: false, requested: true, state: 'loaded' });
    expect(await CallModel.countDocuments()).toBe(before);
  });

  it('redoes from clean a load that was cut short, without duplicating anything', async () => {
    // As if the process died after inserting some documents: the marker still says loading.
    await DemoLoad.updateOne({ _id: DEMO_ID }, { $set: { state: 'loading', startedAt: new Date(Date.now() - 3_600_000), loadedAt: null } });
    await ResponseModel.deleteMany({ complete: true });
    const result = await loadDemo({ size: SIZE, now: NOW, logger });
    expect(result).toMatchObject({ changed: true, state: 'loaded' });
    const data = generateDemo({ size: SIZE, now: NOW });
    expect(await CallModel.countDocuments()).toBe(data.calls.length);
    expect(await Invitation.countDocuments()).toBe(data.invitations.length);
    expect(await ResponseModel.countDocuments()).toBe(data.responses.length);
  });

  it('leaves alone a load that another instance has just started', async () => {
    await DemoLoad.updateOne({ _id: DEMO_ID }, { $set: { state: 'loading', startedAt: new Date(), loadedAt: null } });
    const before = await CallModel.countDocuments();
    const result = await loadDemo({ size: SIZE, now: NOW, logger });
    expect(result).toMatchObject({ changed: false, state: 'loading' });
    expect(await CallModel.countDocuments()).toBe(before);
  });
});
