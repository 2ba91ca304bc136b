/**
 * Wires the TTL sweeper of indexes/ to the engine: every interval (60 s unless told
 * otherwise), documents whose TTL index date has passed are deleted and the deletions
 * journaled like any other write.
 */
import { TtlSweeper, type TtlTarget } from '../indexes/ttl';
import type { JournalOp } from '../storage/types';
import type { Engine } from './engine';

export function startTtl(engine: Engine, intervalMs = 60_000): TtlSweeper {
  const sweeper = new TtlSweeper({
    intervalMs,
    *targets(): Generator<TtlTarget> {
      for (const coll of engine.allCollections()) {
        for (const index of coll.indexes.values()) {
          if (index.expireAfterSeconds !== undefined) yield { ns: coll.ns, index };
        }
      }
    },
    async remove(ns, ids, isExpired) {
      // A deletion between the slices of a write would reach the journal before that write's
      // changes; the collection is looked up after the wait (a write may have dropped it).
      while (engine.turns.busy) await engine.turns.released();
      const coll = engine.allCollections().find((c) => c.ns === ns);
      if (!coll) return 0;
      const ops: JournalOp[] = [];
      for (const key of ids) {
        const doc = coll.get(key);
        if (doc && isExpired(doc)) ops.push(coll.remove(key, doc));
      }
      await engine.commit(ops);
      return ops.length;
    },
    onError: (err) => engine.logger.error({ err: (err as Error).message }, 'TTL sweep failed'),
  });
  sweeper.start();
  return sweeper;
}
