/**
 * Counting marks: a group of saves written in one command together with its rollup change
 * (MongoDB 8's bulkWrite across collections) opens a mark as the command's first write and
 * removes it as its last, instead of flagging each response rollupPending and taking each
 * save off again after. A command cut short (a crash between its writes, a failed rollup
 * write) leaves its mark behind, and the start recounts the buckets of the responses it
 * names, as it does for responses left pending.
 */
import mongoose, { Schema, Types } from 'mongoose';
import { namespaceOf, type ClientWrite } from '../db';

const markSchema = new Schema(
  {
    /** The invitations whose responses the group writes. */
    invitations: { type: [String], required: true },
    /** When the group's command was sent (for an operator reading a mark left behind). */
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const CountingMark = mongoose.model('CountingMark', markSchema, 'countingmarks');

/** A group's mark: the write that opens it (first in the command) and the one that removes it (last). */
export interface MarkWrites {
  id: Types.ObjectId;
  open: ClientWrite;
  close: ClientWrite;
}

/** The mark of a group writing the responses of `invitationIds` (the array becomes the mark's: not copied). */
export function countingMark(invitationIds: string[], now: Date): MarkWrites {
  const namespace = namespaceOf(CountingMark);
  const id = new Types.ObjectId();
  return {
    id,
    open: { namespace, name: 'insertOne', document: { _id: id, invitations: invitationIds, at: now } },
    close: { namespace, name: 'deleteOne', filter: { _id: id } },
  };
}

/** Removes a mark once its group is counted some other way (the staged writes after a lost race). */
export async function closeMark(id: Types.ObjectId): Promise<void> {
  await CountingMark.collection.deleteOne({ _id: id });
}

/** The marks left behind: their ids and every invitation they name. */
export async function leftMarks(): Promise<{ ids: Types.ObjectId[]; invitations: string[] }> {
  const marks = await CountingMark.collection.find({}, { projection: { invitations: 1 } }).toArray();
  return { ids: marks.map((m) => m._id as Types.ObjectId), invitations: [...new Set(marks.flatMap((m) => (m.invitations as string[] | undefined) ?? []))] };
}

/** Removes the marks a start has recounted. */
export async function removeMarks(ids: Types.ObjectId[]): Promise<void> {
  if (ids.length > 0) await CountingMark.collection.deleteMany({ _id: { $in: ids } });
}
