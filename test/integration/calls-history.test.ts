/**
 * What ingest reads of the past before deciding: a customer's surveys and calls, an
 * agent's week, read without given calls (a batch's own, which may be stored while it is
 * still being decided), and two readings merged without counting anything twice.
 */
import mongoose from 'mongoose';
import { ingestCalls } from '../../server/calls';
import { coversCall, loadHistory, mergeHistory, type History } from '../../server/calls/lookups';
import { screenCalls } from '../../server/calls/screen';
import { callsTestKit, makeCall } from '../helpers/calls';
import { useTestDatabase } from '../helpers/database';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { queue } = callsTestKit();
const source = { type: 'api' as const, id: 'history-test' };

async function resolved(items: Record<string, unknown>[]) {
  const { fresh } = await screenCalls(items, new Date());
  return fresh.map((f) => f.resolved);
}

describe('the history of calls about to be decided', () => {
  const customer = { email: 'history@example.fr' };
  let storedId = '';
  let history: History;

  beforeAll(async () => {
    await queue('history-team', 'ABV', { minPerAgentPerWeek: 5, quietHours: null });
    const first = makeCall({ queue: 'history-team', agent: 'h.agent', customer });
    await ingestCalls([first], source);
    const stored = await mongoose.connection.collection('calls').findOne({ externalId: first.externalId });
    storedId = String(stored?._id);
  });

  it('holds the customer’s survey, the agent’s week and the call nearby', async () => {
    const [next] = await resolved([makeCall({ queue: 'history-team', agent: 'h.agent', customer })]);
    history = await loadHistory([next!], new Date());
    expect(history.surveys.get(next!.customerHash)).toHaveLength(1);
    expect([...history.agentWeeks.values()]).toEqual([1]);
    expect(history.nearby.map((c) => String(c._id))).toEqual([storedId]);
  });

  it('leaves out the calls it is told to', async () => {
    const [next] = await resolved([makeCall({ queue: 'history-team', agent: 'h.agent', customer })]);
    const without = await loadHistory([next!], new Date(), new Set([storedId]));
    expect(without.surveys.get(next!.customerHash)).toBeUndefined();
    expect([...without.agentWeeks.values()]).toEqual([]);
    expect(without.nearby).toEqual([]);
  });

  it('merges a second reading without counting a survey, a call or a week twice', async () => {
    const [next] = await resolved([makeCall({ queue: 'history-team', agent: 'h.agent', customer })]);
    const again = await loadHistory([next!], new Date());
    const merged: History = { ...history, surveys: new Map(history.surveys), agentWeeks: new Map(history.agentWeeks), nearby: [...history.nearby] };
    mergeHistory(merged, again);
    expect(merged.surveys.get(next!.customerHash)).toHaveLength(1);
    expect([...merged.agentWeeks.values()]).toEqual([1]);
    expect(merged.nearby).toHaveLength(1);
  });

  it('says whether a reading of a call covers another', async () => {
    const call = makeCall({ queue: 'history-team', agent: 'h.agent', customer });
    const [a] = await resolved([call]);
    const [b] = await resolved([{ ...call, agent: ' h.agent ', customer: { email: ' HISTORY@example.fr' } }]);
    const [other] = await resolved([{ ...call, agent: 'another.agent' }]);
    expect(coversCall(a!, b!)).toBe(true);
    expect(coversCall(a!, other!)).toBe(false);
    expect(coversCall(null, a!)).toBe(false);
  });
});
