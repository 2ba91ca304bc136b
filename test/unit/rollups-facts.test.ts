/**
 * What a response counts for in its bucket, and the change a save makes: complete and
 * partial responses, each score's thresholds, changed answers, answers appearing and
 * disappearing (null ↔ value), and the bucket of a response without agent or reason.
 */
import { bucketId } from '../../server/rollups/buckets';
import { countsDelta, countsOf, responseFacts, zeroCounts, type FactsSource, type ResponseCounts } from '../../server/rollups/facts';

function response(overrides: Partial<FactsSource> = {}): FactsSource {
  return {
    day: '2026-11-20',
    site: 'ABV',
    queue: 'business-support',
    agent: 'a.martin',
    reason: 'billing',
    templateKey: 'post-call',
    complete: false,
    gotInformation: null,
    csat: null,
    nps: null,
    ces: null,
    text: null,
    ...overrides,
  };
}

/** The counters that are not zero, for readable expectations. */
function nonZero(counts: ResponseCounts): Partial<ResponseCounts> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
}

describe('the facts of a response', () => {
  it('takes the bucket from the call context, with an empty agent and reason when the call had none', () => {
    expect(responseFacts(response()).bucket).toEqual({ day: '2026-11-20', site: 'ABV', queue: 'business-support', agent: 'a.martin', reason: 'billing', template: 'post-call' });
    expect(responseFacts(response({ agent: null, reason: null })).bucket).toMatchObject({ agent: '', reason: '' });
  });

  it('keeps the headline answers, and has text only for a non-empty text', () => {
    expect(responseFacts(response({ complete: true, gotInformation: false, csat: 2, nps: 0, ces: 7, text: 'Nobody knew.' }))).toMatchObject({
      complete: true,
      gotInformation: false,
      csat: 2,
      nps: 0,
      ces: 7,
      hasText: true,
    });
    expect(responseFacts(response({ text: '' })).hasText).toBe(false);
    expect(responseFacts(response({ text: null })).hasText).toBe(false);
  });
});

describe('bucket ids', () => {
  it('tell apart buckets whose free-text fields split the same characters differently', () => {
    const key = { day: '2026-11-20', site: 'ABV', queue: 'business-support', template: 'post-call' };
    const a = bucketId({ ...key, agent: 'a.martin:3', reason: 'billing' });
    const b = bucketId({ ...key, agent: 'a.martin', reason: '3:billing' });
    expect(a).not.toBe(b);
    expect(bucketId({ ...key, agent: 'a.martin:3', reason: 'billing' })).toBe(a);
  });
});

describe('what a response counts for', () => {
  it('counts a partial response with only the information answer as a response, not a completed one', () => {
    expect(nonZero(countsOf(responseFacts(response({ gotInformation: false }))))).toEqual({ responses: 1, infoNo: 1 });
  });

  it('counts a complete response with every score, their squares and the text', () => {
    const facts = responseFacts(response({ complete: true, gotInformation: true, csat: 5, nps: 10, ces: 6, text: 'Merci' }));
    expect(nonZero(countsOf(facts))).toEqual({
      responses: 1,
      completed: 1,
      infoYes: 1,
      csatN: 1,
      csatSum: 5,
      csatSumSq: 25,
      csatTop2: 1,
      npsN: 1,
      npsSum: 10,
      npsSumSq: 100,
      npsPromoters: 1,
      cesN: 1,
      cesSum: 6,
      cesSumSq: 36,
      cesEasy: 1,
      texts: 1,
    });
  });

  it.each([
    [1, { csatLow: 1 }],
    [2, { csatLow: 1 }],
    [3, {}],
    [4, { csatTop2: 1 }],
    [5, { csatTop2: 1 }],
  ])('puts a CSAT of %i in the right band', (csat, band) => {
    const counts = countsOf(responseFacts(response({ csat })));
    expect({ csatTop2: counts.csatTop2, csatLow: counts.csatLow }).toEqual({ csatTop2: 0, csatLow: 0, ...band });
  });

  it.each([
    [0, { npsDetractors: 1 }],
    [6, { npsDetractors: 1 }],
    [7, {}],
    [8, {}],
    [9, { npsPromoters: 1 }],
    [10, { npsPromoters: 1 }],
  ])('puts an NPS of %i in the right group', (nps, group) => {
    const counts = countsOf(responseFacts(response({ nps })));
    expect({ npsPromoters: counts.npsPromoters, npsDetractors: counts.npsDetractors }).toEqual({ npsPromoters: 0, npsDetractors: 0, ...group });
  });

  it.each([
    [4, 0],
    [5, 1],
    [7, 1],
  ])('counts a CES of %i as easy: %i', (ces, easy) => {
    expect(countsOf(responseFacts(response({ ces }))).cesEasy).toBe(easy);
  });
});

describe('the change a save makes', () => {
  it('adds everything the response counts for when it is new', () => {
    const after = responseFacts(response({ gotInformation: true, csat: 4 }));
    expect(countsDelta(null, after)).toEqual(countsOf(after));
  });

  it('changes only `completed` when a partial answer is submitted unchanged', () => {
    const partial = response({ gotInformation: false });
    expect(nonZero(countsDelta(responseFacts(partial), responseFacts({ ...partial, complete: true })))).toEqual({ completed: 1 });
  });

  it('moves a changed answer from one band to the other', () => {
    const before = responseFacts(response({ complete: true, gotInformation: true, csat: 2 }));
    const after = responseFacts(response({ complete: true, gotInformation: false, csat: 5 }));
    expect(nonZero(countsDelta(before, after))).toEqual({ infoYes: -1, infoNo: 1, csatSum: 3, csatSumSq: 21, csatLow: -1, csatTop2: 1 });
  });

  it('counts an answer that appears (null → value) and one that is withdrawn (value → null)', () => {
    const without = responseFacts(response({ nps: null, text: null }));
    const withAnswers = responseFacts(response({ nps: 3, text: 'Trop long' }));
    expect(nonZero(countsDelta(without, withAnswers))).toEqual({ npsN: 1, npsSum: 3, npsSumSq: 9, npsDetractors: 1, texts: 1 });
    expect(nonZero(countsDelta(withAnswers, without))).toEqual({ npsN: -1, npsSum: -3, npsSumSq: -9, npsDetractors: -1, texts: -1 });
  });

  it('is all zeros when a save changes nothing that is counted', () => {
    const facts = responseFacts(response({ complete: true, csat: 3 }));
    expect(countsDelta(facts, { ...facts })).toEqual(zeroCounts());
  });
});
