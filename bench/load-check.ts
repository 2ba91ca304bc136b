/**
 * What the load benchmark checks once the app has stopped, on its data directory: every
 * submission the app acknowledged (a 303) is stored exactly once, complete, with the
 * answers of the last acknowledged post, and its invitation is answered; every call
 * acknowledged as scheduled is stored once with one invitation; the rollups count every
 * response once at each level and none is left pending.
 */
import { CallModel } from '../server/calls/model';
import { Invitation } from '../server/invitations/model';
import { ResponseModel } from '../server/responses/model';
import { DailyRollup } from '../server/rollups';
import type { Acknowledged } from './load-people';

export interface Stored {
  /** Acknowledged submissions missing, stored twice, incomplete or with other answers. */
  submissionsWrong: number;
  /** Calls acknowledged as scheduled but not stored exactly once with one invitation. */
  callsWrong: number;
  /** Rollup levels that do not count the stored responses, plus responses left pending. */
  rollupsWrong: number;
  /** What is wrong, the first few of each. */
  problems: string[];
}

const sorted = (answers: Record<string, unknown>) => JSON.stringify(Object.keys(answers).sort().map((k) => [k, answers[k]]));

async function checkSubmissions(acknowledged: Acknowledged, problems: string[]): Promise<number> {
  const ids = [...acknowledged.keys()];
  const docs = await ResponseModel.find({ invitationId: { $in: ids } }, { invitationId: 1, answers: 1, complete: 1 }).lean();
  const byId = new Map<string, typeof docs>();
  for (const doc of docs) byId.set(doc.invitationId, [...(byId.get(doc.invitationId) ?? []), doc]);
  const answered = new Set((await Invitation.find({ _id: { $in: ids }, state: 'answered' }, { _id: 1 }).lean()).map((d) => String(d._id)));
  let wrong = 0;
  for (const [id, expected] of acknowledged) {
    const stored = byId.get(id) ?? [];
    const doc = stored[0];
    const problem =
      stored.length !== 1 ? `stored ${stored.length} times`
      : !doc?.complete ? 'not complete'
      : sorted(doc.answers as Record<string, unknown>) !== sorted(expected) ? `answers ${JSON.stringify(doc.answers)}, acknowledged ${JSON.stringify(expected)}`
      : !answered.has(id) ? 'invitation not marked answered'
      : null;
    if (problem === null) continue;
    wrong += 1;
    if (problems.length < 10) problems.push(`invitation ${id}: ${problem}`);
  }
  return wrong;
}

async function checkCalls(scheduled: string[], problems: string[]): Promise<number> {
  const count = async (model: typeof CallModel | typeof Invitation) => {
    const rows = await model.aggregate<{ _id: string; n: number }>([{ $match: { externalId: { $in: scheduled } } }, { $group: { _id: '$externalId', n: { $sum: 1 } } }]);
    return new Map(rows.map((r) => [r._id, r.n]));
  };
  const [calls, invitations] = [await count(CallModel), await count(Invitation)];
  let wrong = 0;
  for (const id of scheduled) {
    if (calls.get(id) === 1 && invitations.get(id) === 1) continue;
    wrong += 1;
    if (problems.length < 20) problems.push(`call ${id}: stored ${calls.get(id) ?? 0} times, ${invitations.get(id) ?? 0} invitations`);
  }
  return wrong;
}

async function checkRollups(problems: string[]): Promise<number> {
  const before = problems.length;
  const [responses, completed, pending] = await Promise.all([
    ResponseModel.estimatedDocumentCount(),
    ResponseModel.countDocuments({ complete: true }),
    ResponseModel.countDocuments({ rollupPending: true }),
  ]);
  const levels = await DailyRollup.aggregate<{ _id: string | null; responses: number; completed: number }>([
    { $group: { _id: '$level', responses: { $sum: '$responses' }, completed: { $sum: '$completed' } } },
  ]);
  if (pending > 0) problems.push(`${pending} responses left rollupPending`);
  if (levels.length !== 2) problems.push(`rollup levels: ${JSON.stringify(levels)}`);
  for (const level of levels) {
    if (level.responses !== responses || level.completed !== completed) {
      problems.push(`rollups at level ${level._id ?? 'detailed'} count ${level.responses} responses (${level.completed} complete); stored ${responses} (${completed})`);
    }
  }
  return problems.length - before;
}

export async function checkStored(acknowledged: Acknowledged, scheduled: string[]): Promise<Stored> {
  const problems: string[] = [];
  const submissionsWrong = await checkSubmissions(acknowledged, problems);
  const callsWrong = await checkCalls(scheduled, problems);
  const rollupsWrong = await checkRollups(problems);
  return { submissionsWrong, callsWrong, rollupsWrong, problems };
}
