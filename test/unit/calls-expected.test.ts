/**
 * The reading of a call that ingest's lookups are sent for before the call is checked
 * (expectedCall) must be the checked call's reading for every valid call: otherwise the
 * call's history is read a second time. Invalid items have none.
 */
import { checkCall, expectedCall } from '../../server/calls/schemas';

const NOW = new Date('2026-11-20T12:00:00Z');

const base = {
  externalId: 'pbx-1',
  endedAt: '2026-11-20T10:00:00Z',
  queue: 'business-support',
  agent: 'a.martin',
  customer: { email: 'claire@example.fr' },
};

/** The fields the lookups read. */
function lookupFields(call: { externalId: string; endedAt: Date; site?: string; queue: string; agent?: string; customer: { email: string } }) {
  return { externalId: call.externalId, endedAt: call.endedAt.getTime(), site: call.site, queue: call.queue, agent: call.agent, email: call.customer.email };
}

describe('the expected reading of a call', () => {
  it.each([
    ['as sent', base],
    ['with spaces and capitals', { ...base, externalId: '  pbx-2 ', queue: ' Business-Support ', agent: '  a.martin ', customer: { email: '  Claire@Example.fr ' } }],
    ['with a site in lower case and an offset', { ...base, site: ' cas ', endedAt: ' 2026-11-20T11:00:00+01:00 ' }],
    ['without agent (empty or null)', { ...base, agent: '' }],
    ['with a null agent and site', { ...base, agent: null, site: null }],
    ['with an end as a Date', { ...base, endedAt: new Date('2026-11-20T09:30:00Z') }],
    ['with fields the check drops', { ...base, extra: 'ignored', customer: { ...base.customer, name: '', locale: 'EN' } }],
  ])('is the checked reading for a valid call %s', (_label, item) => {
    const { value } = checkCall(item, NOW);
    expect(value).toBeDefined();
    expect(lookupFields(expectedCall(item) as NonNullable<ReturnType<typeof expectedCall>>)).toEqual(lookupFields(value as NonNullable<typeof value>));
  });

  it.each([
    ['not an object', 'pbx-3'],
    ['without end', { ...base, endedAt: undefined }],
    ['with an end without zone', { ...base, endedAt: '2026-11-20T10:00:00' }],
    ['without queue', { ...base, queue: '  ' }],
    ['with an agent that is not text', { ...base, agent: 42 }],
    ['without email', { ...base, customer: {} }],
  ])('is null for an item that cannot be valid: %s', (_label, item) => {
    expect(checkCall(item, NOW).value).toBeUndefined();
    expect(expectedCall(item)).toBeNull();
  });
});
