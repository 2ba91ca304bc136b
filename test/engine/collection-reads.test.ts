/**
 * A collection decodes a stored document for each read: what it gives is the current
 * version, a fresh object every time, and a document handed out earlier stays as it was
 * after the stored one changes.
 */
import { Collection } from '../../server/db/embedded/engine/collection';
import { toPlain, type Doc } from '../../server/db/embedded/query/values';

function only(coll: Collection, filter: Doc): { key: string; doc: Doc } {
  const hits = [...coll.scan(filter)];
  expect(hits).toHaveLength(1);
  return hits[0]!;
}

describe('documents read from a collection', () => {
  it('are decoded afresh for every read, by key or by filter', () => {
    const coll = new Collection('test', 'reads');
    const { doc: inserted } = coll.insert({ _id: 1, site: 'ABV', n: 1 });
    const first = only(coll, { _id: 1 });
    const second = only(coll, { _id: 1 });
    expect(toPlain(first.doc)).toEqual({ _id: 1, site: 'ABV', n: 1 });
    expect(first.doc).not.toBe(inserted);
    expect(second.doc).not.toBe(first.doc);
    expect(coll.get(first.key)).toEqual(first.doc);
    expect(coll.get(first.key)).not.toBe(first.doc);
  });

  it('give the new version after a replace and leave the one read before as it was', () => {
    const coll = new Collection('test', 'replaced');
    coll.insert({ _id: 1, n: 1, nested: { a: 1 } });
    const before = only(coll, { _id: 1 });
    coll.replace(before.key, before.doc, { _id: 1, n: 2, nested: { a: 2 } });
    expect(toPlain(only(coll, { _id: 1 }).doc)).toEqual({ _id: 1, n: 2, nested: { a: 2 } });
    expect(toPlain(before.doc)).toEqual({ _id: 1, n: 1, nested: { a: 1 } });
  });

  it('give what a refused change put back, and nothing once the document is removed', () => {
    const coll = new Collection('test', 'restored');
    coll.insert({ _id: 1, n: 1 });
    const first = only(coll, { _id: 1 });
    const op = coll.replace(first.key, first.doc, { _id: 1, n: 2 });
    if (op.op !== 'put') throw new Error('a replace is journaled as a put');
    expect(toPlain(only(coll, { _id: 1 }).doc)).toEqual({ _id: 1, n: 2 });
    coll.restore(first.key, op.before);
    expect(toPlain(only(coll, { _id: 1 }).doc)).toEqual({ _id: 1, n: 1 });
    coll.remove(first.key, only(coll, { _id: 1 }).doc);
    expect([...coll.scan({ _id: 1 })]).toHaveLength(0);
    expect(coll.get(first.key)).toBeUndefined();
  });

  it('are the same whether the documents were written here or loaded at start', () => {
    const coll = new Collection('test', 'scanned');
    const loaded = new Collection('test', 'source');
    for (let i = 0; i < 5; i++) loaded.insert({ _id: i, n: i });
    for (const [key, buf] of loaded.docs) coll.load(key, buf);
    const scanned = [...coll.scan({ n: { $gte: 0 } })].map((h) => toPlain(h.doc));
    expect(scanned).toEqual([0, 1, 2, 3, 4].map((i) => ({ _id: i, n: i })));
    expect(toPlain(only(coll, { _id: 3 }).doc)).toEqual({ _id: 3, n: 3 });
  });
});
