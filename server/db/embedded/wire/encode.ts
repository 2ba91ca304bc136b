/**
 * Encodes messages: OP_MSG (kind-0 body, optional kind-1 sequences and CRC-32C) and the
 * OP_REPLY that answers the legacy OP_QUERY handshake with one document.
 * Serialization errors (a reply over the BSON size limit) propagate to the caller.
 */
import { BSON, type Document } from 'bson';
import { crc32c } from './crc32c';
import { HEADER_SIZE, MsgFlags, OP_MSG, OP_REPLY } from './protocol';

export interface MessageIds {
  /** This message's own id. */
  requestId: number;
  /** The requestId of the message answered; 0 for requests. */
  responseTo: number;
}

/** OP_REPLY's AwaitCapable bit, which mongod sets on every reply. */
const AWAIT_CAPABLE = 8;

function serialize(doc: Document): Buffer {
  const bytes = BSON.serialize(doc);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function writeHeader(out: Buffer, ids: MessageIds, opCode: number): void {
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(ids.requestId, 4);
  out.writeInt32LE(ids.responseTo, 8);
  out.writeInt32LE(opCode, 12);
}

export interface MsgParts {
  body: Document;
  /** Kind-1 sections by identifier; replies never need them, requests built in tests do. */
  sequences?: Record<string, Document[]>;
  /** Flag bits besides checksumPresent, which `checksum` controls. */
  flags?: number;
  checksum?: boolean;
}

export function encodeMsg(parts: MsgParts, ids: MessageIds): Buffer {
  const sections: Buffer[] = [Buffer.from([0]), serialize(parts.body)];
  for (const [identifier, docs] of Object.entries(parts.sequences ?? {})) {
    const payload = Buffer.concat([Buffer.from(`${identifier}\0`, 'utf8'), ...docs.map(serialize)]);
    const head = Buffer.allocUnsafe(5);
    head[0] = 1;
    head.writeInt32LE(4 + payload.length, 1);
    sections.push(head, payload);
  }
  const flags = ((parts.flags ?? 0) & ~MsgFlags.checksumPresent) | (parts.checksum ? MsgFlags.checksumPresent : 0);
  const prefix = Buffer.allocUnsafe(HEADER_SIZE + 4);
  const out = Buffer.concat([prefix, ...sections, Buffer.alloc(parts.checksum ? 4 : 0)]);
  writeHeader(out, ids, OP_MSG);
  out.writeUInt32LE(flags >>> 0, HEADER_SIZE);
  if (parts.checksum) out.writeUInt32LE(crc32c(out, 0, out.length - 4), out.length - 4);
  return out;
}

export function encodeOpReply(document: Document, ids: MessageIds): Buffer {
  const doc = serialize(document);
  const out = Buffer.allocUnsafe(HEADER_SIZE + 20 + doc.length);
  writeHeader(out, ids, OP_REPLY);
  out.writeInt32LE(AWAIT_CAPABLE, HEADER_SIZE); // responseFlags
  out.writeBigInt64LE(0n, HEADER_SIZE + 4); // cursorID
  out.writeInt32LE(0, HEADER_SIZE + 12); // startingFrom
  out.writeInt32LE(1, HEADER_SIZE + 16); // numberReturned
  doc.copy(out, HEADER_SIZE + 20);
  return out;
}
