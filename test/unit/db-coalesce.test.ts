/**
 * The group commit of hot writes: a call made while a write is in flight waits for the
 * next write, together with the others made meanwhile; every caller gets its own result
 * or its batch's error, in order, and batches stay within their bound; a write that
 * releases its turn lets the next one start while it finishes.
 */
import { createCoalescer } from '../../server/db';

/** A write whose calls are recorded and finished by hand. */
function controlledWrite<T>() {
  const calls: { items: T[]; finish: (error?: Error) => void }[] = [];
  const write = (items: T[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ items, finish: (error) => (error ? reject(error) : resolve(items.map((i) => `done ${String(i)}`))) });
    });
  return { calls, write };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('createCoalescer', () => {
  it('writes a lone call at once, and the calls made during that write together in the next', async () => {
    const { calls, write } = controlledWrite<number>();
    const add = createCoalescer(write);
    const first = add(1);
    await settle();
    expect(calls.map((c) => c.items)).toEqual([[1]]);

    const during = [add(2), add(3), add(4)];
    await settle();
    expect(calls).toHaveLength(1);
    calls[0]!.finish();
    expect(await first).toBe('done 1');
    await settle();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]);
    calls[1]!.finish();
    expect(await Promise.all(during)).toEqual(['done 2', 'done 3', 'done 4']);
  });

  it('keeps a caller waiting until the write that carries its item is done', async () => {
    const { calls, write } = controlledWrite<string>();
    const add = createCoalescer(write);
    let answered = false;
    void add('a').then(() => (answered = true));
    await settle();
    expect(answered).toBe(false);
    calls[0]!.finish();
    await settle();
    expect(answered).toBe(true);
  });

  it('groups the calls of one tick, and splits what waits into batches of at most maxBatch, in order', async () => {
    const { calls, write } = controlledWrite<number>();
    const add = createCoalescer(write, { maxBatch: 3 });
    const results = Array.from({ length: 8 }, (_, i) => add(i));
    for (let n = 0; n < 3; n++) {
      await settle();
      calls[n]!.finish();
    }
    expect(await Promise.all(results)).toEqual(Array.from({ length: 8 }, (_, i) => `done ${i}`));
    expect(calls.map((c) => c.items)).toEqual([[0, 1, 2], [3, 4, 5], [6, 7]]);
  });

  it('rejects every caller of a failed write with its error, and goes on with the next batch', async () => {
    const { calls, write } = controlledWrite<number>();
    const add = createCoalescer(write);
    const first = add(1);
    await settle();
    const failing = [add(2), add(3)];
    calls[0]!.finish();
    await first;
    await settle();
    const after = add(4);
    calls[1]!.finish(new Error('disk full'));
    await expect(failing[0]).rejects.toThrow('disk full');
    await expect(failing[1]).rejects.toThrow('disk full');
    await settle();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3], [4]]);
    calls[2]!.finish();
    expect(await after).toBe('done 4');
  });

  it('rejects the callers of a write that throws before it starts, and resolves those of a write without results', async () => {
    const thrown = createCoalescer<number>(() => {
      throw new Error('refused');
    });
    await expect(Promise.all([thrown(1), thrown(2)])).rejects.toThrow('refused');
    await expect(thrown(3)).rejects.toThrow('refused');

    const written: number[][] = [];
    const plain = createCoalescer<number>(async (items) => {
      written.push(items);
    });
    await expect(Promise.all([plain(1), plain(2)])).resolves.toEqual([undefined, undefined]);
    expect(written).toEqual([[1, 2]]);
  });

  it('starts the next write once the one in flight releases its turn, and still answers each from its own', async () => {
    const stages: { items: number[]; release: () => void; finish: (error?: Error) => void }[] = [];
    const add = createCoalescer<number, string>(
      (items, release) =>
        new Promise((resolve, reject) => {
          stages.push({ items, release, finish: (error) => (error ? reject(error) : resolve(items.map((i) => `done ${i}`))) });
        }),
    );
    const first = add(1);
    await settle();
    const second = [add(2), add(3)];
    await settle();
    // Not released: the calls made meanwhile wait.
    expect(stages.map((s) => s.items)).toEqual([[1]]);
    stages[0]!.release();
    await settle();
    expect(stages.map((s) => s.items)).toEqual([[1], [2, 3]]);
    const third = add(4);
    await settle();
    // Released writes do not make room for more than the next one: the third waits for the second.
    expect(stages).toHaveLength(2);
    stages[1]!.finish(new Error('disk full'));
    await expect(Promise.all(second)).rejects.toThrow('disk full');
    await settle();
    expect(stages.map((s) => s.items)).toEqual([[1], [2, 3], [4]]);
    stages[2]!.finish();
    stages[0]!.finish();
    expect(await first).toBe('done 1');
    expect(await third).toBe('done 4');
  });

  it('with gatherTurn, lets the calls of the next turn of the event loop join a write, before and after each write', async () => {
    const { calls, write } = controlledWrite<number>();
    const add = createCoalescer(write, { gatherTurn: true });
    // A request handled in the next turn (its I/O was ready) joins the write of this one.
    const first = add(1);
    const joining = new Promise<string>((resolve) => setImmediate(() => resolve(add(2))));
    await settle();
    await settle();
    expect(calls.map((c) => c.items)).toEqual([[1, 2]]);

    const during = add(3);
    calls[0]!.finish();
    // Made in the turn after the write ended: it goes out with the call that waited for it.
    const late = new Promise<string>((resolve) => setImmediate(() => resolve(add(4))));
    expect(await first).toBe('done 1');
    expect(await joining).toBe('done 2');
    await settle();
    await settle();
    expect(calls.map((c) => c.items)).toEqual([[1, 2], [3, 4]]);
    calls[1]!.finish();
    expect(await Promise.all([during, late])).toEqual(['done 3', 'done 4']);

    // Without it, the first call goes out alone.
    const plain = controlledWrite<number>();
    const addPlain = createCoalescer(plain.write);
    void addPlain(1);
    setImmediate(() => void addPlain(2));
    await settle();
    await settle();
    expect(plain.calls.map((c) => c.items)).toEqual([[1]]);
    plain.calls[0]!.finish();
  });
});
