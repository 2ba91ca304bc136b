/**
 * Wire protocol constants, the message header and the error that ends a connection.
 * Opcodes, flag bits and size limits live here so framing, decoding, encoding and the
 * handshake commands all advertise and enforce the same numbers.
 */

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const HEADER_SIZE = 16;

/** OP_MSG flag bits. Bits 0-15 are "required": a receiver must reject unknown ones. */
export const MsgFlags = {
  checksumPresent: 1 << 0,
  moreToCome: 1 << 1,
  exhaustAllowed: 1 << 16,
} as const;
const REQUIRED_FLAG_MASK = 0xffff;
const KNOWN_REQUIRED_FLAGS = MsgFlags.checksumPresent | MsgFlags.moreToCome;

/** The limits MongoDB 7.0 advertises in `hello`; the engine enforces the same ones. */
export const Limits = {
  maxBsonObjectSize: 16 * 1024 * 1024,
  /** Command bodies may exceed a user document by this much (MongoDB's BSONObjMaxInternalSize). */
  internalBsonOverhead: 16 * 1024,
  maxMessageSizeBytes: 48_000_000,
  maxWriteBatchSize: 100_000,
  maxBsonDepth: 200,
} as const;

/** A message the peer should never have sent: the connection that carried it is closed. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export interface MsgHeader {
  messageLength: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export function readHeader(frame: Buffer): MsgHeader {
  if (frame.length < HEADER_SIZE) throw new ProtocolError(`message of ${frame.length} bytes is shorter than its header`);
  return {
    messageLength: frame.readInt32LE(0),
    requestId: frame.readInt32LE(4),
    responseTo: frame.readInt32LE(8),
    opCode: frame.readInt32LE(12),
  };
}

/** Throws for required OP_MSG flag bits this server does not know (MongoDB closes on those too). */
export function checkMsgFlags(flags: number): void {
  const unknown = flags & REQUIRED_FLAG_MASK & ~KNOWN_REQUIRED_FLAGS;
  if (unknown !== 0) throw new ProtocolError(`unrecognized required OP_MSG flag bits 0x${unknown.toString(16)}`);
}
