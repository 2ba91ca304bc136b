/**
 * Cuts a connection's byte stream into whole messages by their length prefix.
 * Rejects impossible lengths as soon as the first four bytes arrive, so a hostile
 * length never makes the server buffer more than one legal message.
 */
import { HEADER_SIZE, Limits, ProtocolError } from './protocol';

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxMessageSize: number = Limits.maxMessageSizeBytes) {}

  /** Bytes received but not yet part of a returned message. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Adds bytes and returns every message now complete. Throws ProtocolError for a bad length. */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Buffer[] = [];
    while (this.buffered >= 4) {
      const length = this.peekLength();
      if (length < HEADER_SIZE || length > this.maxMessageSize) {
        throw new ProtocolError(`message length ${length} is invalid; it must be between ${HEADER_SIZE} and ${this.maxMessageSize}`);
      }
      if (this.buffered < length) break;
      frames.push(this.take(length));
    }
    return frames;
  }

  private peekLength(): number {
    // The prefix can straddle chunks only when a peer writes in tiny pieces; merging then is cheap.
    if (this.chunks[0].length < 4) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0].readInt32LE(0);
  }

  /** Removes the first `length` buffered bytes, copying only when they span chunks. */
  private take(length: number): Buffer {
    this.buffered -= length;
    const first = this.chunks[0];
    if (first.length >= length) {
      if (first.length === length) this.chunks.shift();
      else this.chunks[0] = first.subarray(length);
      return first.subarray(0, length);
    }
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.chunks[0];
      const n = Math.min(chunk.length, length - filled);
      chunk.copy(out, filled, 0, n);
      filled += n;
      if (n === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(n);
    }
    return out;
  }
}
