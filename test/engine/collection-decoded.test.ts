/**
 * A collection keeps the decoded form of the documents it wrote or looked up last: a
 * document read again is not decoded again, and never served stale after a change.
 */
import { Collection } from '../../server/db/embedded/engine/collection';
import { toPlain, type Doc } from '../../server/db/embedded/query/values';

function only(coll: Collection, filter: Doc): { key: string; doc: Doc } {
  const hits = [...coll.scan(filter)];
  expect(hits).toHaveLength(1);
  return hits[0]!;
}

describe('decoded documents kept by a collection', () => {
  it('serves a document written or looked up by key from its kept decoded form', () => {
    const coll = new Collection('test', 'kept');
    const { doc: inserted } = coll.insert({ _id: 1, site: 'ABV', n: 1 });
    expect(only(coll, { _id: 1 }).doc).toBe(inserted);
    expect(coll.get(only(coll, { _id: 1 }).key)).toBe(inserted);
  });

  it('gives the new version after a replace and leaves the old decoded form as it was', () => {
    const coll = new Collection('test', 'replaced');
    coll.insert({ _id: 1, n: 1, nested: { a: 1 } });
    const before = only(coll, { _id: 1 });
    coll.replace(before.key, before.doc, { _id: 1, n: 2, nested: { a: 2 } });
    expect(only(coll, { _id: 1 }).doc).toEqual({ _id: 1, n: 2, nested: { a: 2 } });
    expect(before.doc).toEqual({ _id: 1, n: 1, nested: { a: 1 } });
  });

  it('decodes afresh what a refused change put back, and forgets a removed document', () => {
    const coll = new Collection('test', 'restored');
    coll.insert({ _id: 1, n: 1 });
    const first = only(coll, { _id: 1 });
    const op = coll.replace(first.key, first.doc, { _id: 1, n: 2 });
    if (op.op !== 'put') throw new Error('a replace is journaled as a put');
    expect(only(coll, { _id: 1 }).doc).toEqual({ _id: 1, n: 2 });
    coll.restore(first.key, op.before);
    expect(toPlain(only(coll, { _id: 1 }).doc)).toEqual({ _id: 1, n: 1 });
    coll.remove(first.key, only(coll, { _id: 1 }).doc);
    expect([...coll.scan({ _id: 1 })]).toHaveLength(0);
    expect(coll.get(first.key)).toBeUndefined();
  });

  it('keeps what a lookup by key decodes but not what a scan of the collection decodes', () => {
    const coll = new Collection('test', 'scanned');
    const loaded = new Collection('test', 'source');
    for (let i = 0; i < 5; i++) loaded.insert({ _id: i, n: i });
    // Documents loaded at start have no decoded form yet.
    for (const [key, buf] of loaded.docs) coll.load(key, buf);
    const scanned = [...coll.scan({ n: { $gte: 0 } })].map((h) => h.doc);
    const again = [...coll.scan({ n: { $gte: 0 } })].map((h) => h.doc);
    expect(again.map(toPlain)).toEqual(scanned.map(toPlain));
    again.forEach((doc, i) => expect(doc).not.toBe(scanned[i]));
    const looked = only(coll, { _id: 3 }).doc;
    expect(only(coll, { _id: 3 }).doc).toBe(looked);
  });
});
