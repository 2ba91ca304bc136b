/**
 * The suppression list: addresses normalised before hashing, only the hash stored,
 * suppressing idempotent (the first reason stays, concurrent calls leave one entry).
 */
import mongoose from 'mongoose';
import { hashEmail, isSuppressed, normalizeEmail, suppressAddress } from '../../server/suppressions';
import { useTestDatabase } from '../helpers/database';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const suppressions = () => mongoose.connection.collection('suppressions');

describe('the suppression list', () => {
  it('normalises addresses by trimming and lower-casing them', () => {
    expect(normalizeEmail('  Claire.Dubois@Example.FR ')).toBe('claire.dubois@example.fr');
    expect(hashEmail('Claire.Dubois@Example.FR')).toBe(hashEmail('claire.dubois@example.fr'));
    expect(hashEmail('claire@example.fr')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('says an address is not suppressed until it is, then gives the reason whatever its case', async () => {
    expect(await isSuppressed('bounce@example.fr')).toBeNull();
    await suppressAddress('Bounce@Example.fr', 'bounced', 'smtp');
    expect(await isSuppressed('bounce@example.fr')).toBe('bounced');
    expect(await isSuppressed(' BOUNCE@EXAMPLE.FR')).toBe('bounced');
  });

  it('stores the hash, reason, source and date, never the address', async () => {
    await suppressAddress('private@example.fr', 'complaint', 'feedback-loop');
    const stored = await suppressions().findOne({ hash: hashEmail('private@example.fr') });
    expect(stored).toMatchObject({ reason: 'complaint', source: 'feedback-loop', createdAt: expect.any(Date) });
    expect(JSON.stringify(stored)).not.toContain('private');
  });

  it('keeps the first reason when an address is suppressed again', async () => {
    await suppressAddress('again@example.fr', 'unsubscribed', 'invitation:1');
    await suppressAddress('again@example.fr', 'bounced', 'smtp');
    expect(await isSuppressed('again@example.fr')).toBe('unsubscribed');
    expect(await suppressions().countDocuments({ hash: hashEmail('again@example.fr') })).toBe(1);
  });

  it('leaves one entry when the same address is suppressed several times at once', async () => {
    await Promise.all(Array.from({ length: 5 }, () => suppressAddress('race@example.fr', 'unsubscribed')));
    expect(await suppressions().countDocuments({ hash: hashEmail('race@example.fr') })).toBe(1);
    expect(await suppressions().findOne({ hash: hashEmail('race@example.fr') })).toMatchObject({ source: null });
  });
});
