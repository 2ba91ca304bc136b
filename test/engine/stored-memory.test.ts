/**
 * What stored documents cost the engine's process beyond their bytes: their memory must not
 * count as V8 external memory (each 64 MiB of which since the last full collection starts
 * another, a stall of every command while it marks a heap holding every document), and a
 * document decoded from a message must not keep that message alive once it is stored.
 */
import { BSON, ObjectId } from 'bson';
import { Collection } from '../../server/db/embedded/engine/collection';
import { deserializeDoc, toPlain } from '../../server/db/embedded/query/values';
import { rememberRawDocument, takeRawDocument } from '../../server/db/embedded/raw-documents';

const MB = 1024 * 1024;

describe('memory of stored documents', () => {
  it('is held in shared buffers, which V8 does not count as external memory', () => {
    // Serialised before measuring, so that only the copies into the store are counted.
    const comment = 'Merci pour votre aide, la conseillère a été très claire. '.repeat(30);
    const raws = Array.from({ length: 12_000 }, (_, i) => Buffer.from(BSON.serialize({ _id: new ObjectId(), n: i, site: 'ABV', comment })));
    const docs = raws.map((raw) => deserializeDoc(raw));
    const storedBytes = raws.reduce((sum, raw) => sum + raw.length, 0);
    expect(storedBytes).toBeGreaterThan(20 * MB);
    const coll = new Collection('test', 'memory');

    const before = process.memoryUsage();
    docs.forEach((doc, i) => coll.insert(doc, raws[i]));
    const after = process.memoryUsage();

    // A garbage collection during the inserts can only lower this difference, never raise it.
    expect(after.external - before.external).toBeLessThan(storedBytes / 10);
    expect([...coll.docs.values()].every((stored) => stored.buffer instanceof SharedArrayBuffer)).toBe(true);
    expect(coll.docs.size).toBe(12_000);
    const [first] = coll.docs.values();
    expect(deserializeDoc(first!)).toEqual(docs[0]);
  });

  it('keeps the bytes of a document larger than a slab apart, just as uncounted', () => {
    const big = { _id: 1, text: 'x'.repeat(40 * 1024) };
    const coll = new Collection('test', 'large');
    coll.insert(big);
    const stored = coll.docs.get([...coll.docs.keys()][0]!)!;
    expect(stored.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(stored.byteLength).toBe(stored.buffer.byteLength);
    expect(toPlain(deserializeDoc(stored))).toEqual(big);
  });

  it('lets a bulkWrite insert take the bytes it arrived as once, then forgets them', () => {
    const bytes = Buffer.from(BSON.serialize({ _id: 7, a: 1 }));
    const document = deserializeDoc(bytes);
    rememberRawDocument(document, bytes);
    expect(takeRawDocument(document)).toBe(bytes);
    expect(takeRawDocument(document)).toBeUndefined();
  });
});
