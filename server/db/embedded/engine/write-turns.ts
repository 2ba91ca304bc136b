/**
 * Write turns: a write command with many operations (a group of survey answers, a batch of
 * calls) applies them in slices of about a millisecond and lets the engine answer reads
 * in between, so a token lookup no longer waits behind it. From its first pause to its
 * last operation it holds the turn: other writes wait for it, so that changes reach the
 * journal in the order they were made, as when every command ran whole. Reads in between
 * see the operations applied so far, as MongoDB's readers may see part of a batch.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long a write command applies operations before letting the waiting reads in. */
export const SLICE_MS = 1;

export class WriteTurns {
  private held: Promise<void> | null = null;

  /** Whether a write is between two of its slices: another write must wait (released()) and check again. */
  get busy(): boolean {
    return this.held !== null;
  }

  /** Settles when the write holding the turn has applied its last operation. */
  released(): Promise<void> {
    return this.held ?? Promise.resolve();
  }

  /** The slices of one write command, begun once nothing holds the turn. */
  slices(): Slices {
    return new Slices(this);
  }

  /** Takes the turn; the function returned gives it back. */
  hold(): () => void {
    if (this.held) throw new Error('a write took the turn while another held it');
    let release = (): void => undefined;
    this.held = new Promise<void>((resolve) => {
      release = () => {
        this.held = null;
        resolve();
      };
    });
    return release;
  }
}

/**
 * One write command's slices (Engine.applyInSlices): `if (slices.due()) await
 * slices.pause()` before each operation. A command that runs in one slice never takes the turn.
 */
export class Slices {
  private started = performance.now();
  private release: (() => void) | null = null;

  constructor(private readonly turns: WriteTurns) {}

  /** This slice has run its time. */
  due(): boolean {
    return performance.now() - this.started >= SLICE_MS;
  }

  /** Lets the reads that arrived meanwhile run (setImmediate: after the I/O of the turn). */
  async pause(): Promise<void> {
    this.release ??= this.turns.hold();
    await nextTurn();
    this.started = performance.now();
  }

  /** Gives the turn back (again: nothing). */
  end(): void {
    this.release?.();
    this.release = null;
  }
}
