/**
 * Decodes one whole message (OP_MSG or the legacy OP_QUERY handshake) into a command
 * document. Malformed input throws ProtocolError (the caller closes the connection);
 * input that is well formed but over MongoDB's limits yields a `rejection` reply instead.
 */
import { BSON, type Document } from 'bson';
import { decodeBson } from '../bson-decode';
import { fail } from '../errors';
import { rememberRawBytes, rememberRawDocument } from '../raw-documents';
import { insertDocumentOf, insertDocumentsInBody } from './insert-documents';
import { checkBson, DepthError } from './bson-check';
import { crc32c } from './crc32c';
import {
  HEADER_SIZE, Limits, MsgFlags, OP_COMPRESSED, OP_MSG, OP_QUERY, ProtocolError, checkMsgFlags, readHeader,
  type MsgHeader,
} from './protocol';

interface RequestBase {
  header: MsgHeader;
  command: Document;
  /** A ready `{ ok: 0 }` reply when the command must fail without running. */
  rejection?: Document;
}
export interface MsgRequest extends RequestBase {
  opCode: typeof OP_MSG;
  checksumPresent: boolean;
  moreToCome: boolean;
  exhaustAllowed: boolean;
}
export interface QueryRequest extends RequestBase {
  opCode: typeof OP_QUERY;
  /** `admin.$cmd` for commands. */
  namespace: string;
}
export type WireRequest = MsgRequest | QueryRequest;

const MAX_BODY_SIZE = Limits.maxBsonObjectSize + Limits.internalBsonOverhead;
/** Body fields that carry user documents, checked one by one when a body is larger than one document may be. */
const WRITE_ARRAYS = ['documents', 'updates', 'deletes'];

interface Range { start: number; end: number }

/** Decodes one frame as cut by FrameReader. Throws ProtocolError for anything malformed. */
export function decodeMessage(frame: Buffer): WireRequest {
  const header = readHeader(frame);
  if (header.messageLength !== frame.length) throw new ProtocolError('message length does not match its frame');
  switch (header.opCode) {
    case OP_MSG: return decodeMsg(frame, header);
    case OP_QUERY: return decodeQuery(frame, header);
    case OP_COMPRESSED: throw new ProtocolError('OP_COMPRESSED received but no compressor was negotiated');
    default: throw new ProtocolError(`unsupported opcode ${header.opCode}`);
  }
}

function decodeMsg(frame: Buffer, header: MsgHeader): MsgRequest {
  if (frame.length < HEADER_SIZE + 5) throw new ProtocolError('OP_MSG too short');
  const flags = frame.readUInt32LE(HEADER_SIZE);
  checkMsgFlags(flags);
  const checksumPresent = (flags & MsgFlags.checksumPresent) !== 0;
  let end = frame.length;
  if (checksumPresent) {
    end -= 4;
    if (end < HEADER_SIZE + 5) throw new ProtocolError('OP_MSG too short for its checksum');
    if (crc32c(frame, 0, end) !== frame.readUInt32LE(end)) throw new ProtocolError('OP_MSG checksum mismatch');
  }
  const { body, sequences } = cutSections(frame, HEADER_SIZE + 4, end);

  const parsed = new Parser(frame);
  const command = parsed.document(body, MAX_BODY_SIZE) ?? {};
  const bulkWrite = !parsed.rejection && command.bulkWrite !== undefined;
  if (bulkWrite && Array.isArray(command.ops)) rememberInsertDocuments(command.ops, insertDocumentsInBody(frame, body.start));
  for (const [identifier, docs] of sequences) {
    if (Object.hasOwn(command, identifier)) {
      throw new ProtocolError(`field '${identifier}' is both in the body and a document sequence`);
    }
    const values = docs.map((range) => parsed.document(range, Limits.maxBsonObjectSize) ?? {});
    // Inserted documents are stored as sent (Collection.insert); the frame lives only as long as the array.
    if (identifier === 'documents' && !parsed.rejection) rememberRawBytes(values, docs.map((r) => frame.subarray(r.start, r.end)));
    if (identifier === 'ops' && bulkWrite && !parsed.rejection) rememberInsertDocuments(values, docs.map((r) => insertDocumentOf(frame, r.start)));
    Object.defineProperty(command, identifier, { value: values, enumerable: true, writable: true, configurable: true });
  }
  if (!parsed.rejection && body.end - body.start > Limits.maxBsonObjectSize) parsed.rejection = oversizedWriteDocument(command);
  return {
    opCode: OP_MSG, header, command, rejection: parsed.rejection,
    checksumPresent, moreToCome: (flags & MsgFlags.moreToCome) !== 0, exhaustAllowed: (flags & MsgFlags.exhaustAllowed) !== 0,
  };
}

/** A bulkWrite's inserts store their documents as sent (Collection.insert), like the insert command's. */
function rememberInsertDocuments(ops: unknown[], bytes: (Buffer | undefined)[]): void {
  for (let i = 0; i < ops.length; i++) {
    const document = (ops[i] as { document?: unknown } | null)?.document;
    const raw = bytes[i];
    if (raw && document !== null && typeof document === 'object') rememberRawDocument(document, raw);
  }
}

/** Splits OP_MSG sections: exactly one kind-0 body and any kind-1 sequences with distinct names. */
function cutSections(frame: Buffer, start: number, end: number): { body: Range; sequences: Map<string, Range[]> } {
  let body: Range | undefined;
  const sequences = new Map<string, Range[]>();
  let p = start;
  while (p < end) {
    const kind = frame[p++];
    if (kind === 0) {
      if (body) throw new ProtocolError('OP_MSG has more than one body section');
      body = documentRange(frame, p, end);
      p = body.end;
    } else if (kind === 1) {
      if (p + 4 > end) throw new ProtocolError('truncated document sequence');
      const size = frame.readInt32LE(p);
      const sectionEnd = p + size;
      if (size < 5 || sectionEnd > end) throw new ProtocolError(`document sequence size ${size} is invalid`);
      const nul = frame.indexOf(0, p + 4);
      if (nul < 0 || nul >= sectionEnd) throw new ProtocolError('document sequence identifier is not terminated');
      const identifier = frame.toString('utf8', p + 4, nul);
      if (identifier === '' || sequences.has(identifier)) throw new ProtocolError(`bad document sequence identifier '${identifier}'`);
      const docs: Range[] = [];
      for (let q = nul + 1; q < sectionEnd; q = docs[docs.length - 1].end) docs.push(documentRange(frame, q, sectionEnd));
      sequences.set(identifier, docs);
      p = sectionEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG has no body section');
  return { body, sequences };
}

function documentRange(frame: Buffer, start: number, limit: number): Range {
  if (start + 4 > limit) throw new ProtocolError('truncated document');
  const length = frame.readInt32LE(start);
  if (length < 5 || start + length > limit) throw new ProtocolError(`document length ${length} is invalid`);
  return { start, end: start + length };
}

function decodeQuery(frame: Buffer, header: MsgHeader): QueryRequest {
  let p = HEADER_SIZE + 4; // past the flags, which commands do not use
  const nul = p <= frame.length ? frame.indexOf(0, p) : -1;
  if (nul < 0) throw new ProtocolError('OP_QUERY namespace is not terminated');
  const namespace = frame.toString('utf8', p, nul);
  p = nul + 1 + 8; // numberToSkip and numberToReturn
  const query = documentRange(frame, p, frame.length);
  const parsed = new Parser(frame);
  let command = parsed.document(query, MAX_BODY_SIZE) ?? {};
  if (query.end !== frame.length) {
    // A returnFieldsSelector may follow; commands ignore it, but it must still be sound BSON.
    const selector = documentRange(frame, query.end, frame.length);
    if (selector.end !== frame.length) throw new ProtocolError('OP_QUERY has bytes after its documents');
    parsed.document(selector, MAX_BODY_SIZE);
  }
  // Drivers that wrap commands for mongos send { $query: {...}, $readPreference }.
  if (command.$query !== null && typeof command.$query === 'object' && !Array.isArray(command.$query)) command = command.$query;
  return { opCode: OP_QUERY, header, namespace, command, rejection: parsed.rejection };
}

/** Validates and deserializes documents of one message, remembering the first limit they break. */
class Parser {
  rejection?: Document;

  constructor(private readonly frame: Buffer) {}

  /** The document, or undefined once the message is rejected (later documents are not parsed). */
  document(range: Range, maxSize: number): Document | undefined {
    if (this.rejection) return undefined;
    const size = range.end - range.start;
    if (size > maxSize) {
      this.rejection = tooLarge(size, maxSize);
      return undefined;
    }
    try {
      checkBson(this.frame, range.start, range.end, Limits.maxBsonDepth);
    } catch (err) {
      if (!(err instanceof DepthError)) throw err;
      this.rejection = { ok: 0, errmsg: err.message, code: 15, codeName: 'Overflow' };
      return undefined;
    }
    try {
      return decodeBson(this.frame.subarray(range.start, range.end));
    } catch (err) {
      throw new ProtocolError(`invalid BSON: ${(err as Error).message}`);
    }
  }
}

function tooLarge(size: number, maxSize: number): Document {
  const message = `BSONObj size: ${size} (0x${size.toString(16).toUpperCase()}) is invalid. Size must be between 0 and ${maxSize}(16MB)`;
  return fail('BSONObjectTooLarge', message).toReply();
}

/** A body may exceed 16 MB by a little; a user document inside it may not. */
function oversizedWriteDocument(command: Document): Document | undefined {
  for (const field of WRITE_ARRAYS) {
    const items: unknown = command[field];
    if (!Array.isArray(items)) continue;
    for (const item of items) {
      const size = BSON.calculateObjectSize(item as Document);
      if (size > Limits.maxBsonObjectSize) return tooLarge(size, Limits.maxBsonObjectSize);
    }
  }
  return undefined;
}
