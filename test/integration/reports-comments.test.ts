/**
 * GET /reports/comments and its POST forms: responses with a text answer, newest first,
 * 25 a page (keyset), with the call's context, the site's time zone, the customer's
 * answers and their words escaped with line breaks kept; filters in the URL (sites,
 * period, info, score, search, handled, one response); scoping; mark handled with a note
 * (CSRF, Joi, audit, PRG back to the same page) and reopen.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { AuditEntry } from '../../server/audit/model';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { responseDoc, seedResponse, seedResponses, seedWorld, storedResponse } from '../helpers/seed-responses';
import { loginAs } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();
const NOV = 'from=2026-11-01&to=2026-11-30';
const OCT = 'from=2026-10-01&to=2026-10-31';
const T = (day: number, hour = 10, minute = 0) => new Date(Date.UTC(2026, 10, day, hour, minute));

/** The ids of the comments on a page, in page order. */
function listed(html: string): string[] {
  return [...html.matchAll(/<li class="card comment" id="r-([0-9a-f]{24})">/g)].map((m) => m[1] as string);
}

const ids: Record<string, string> = {};

beforeAll(async () => {
  await seedWorld();
  ids.refund = await seedResponse(
    { info: 'no', missing: 'Nobody knew <b>when</b> my refund (or credit?) comes.\n\n  Second   paragraph.', csat: 2, nps: 3 },
    { site: 'ABV', at: T(20, 9, 30), agent: 'b.durand', reason: 'refund' },
  );
  ids.happy = await seedResponse({ info: 'yes', csat: 5, nps: 10, comment: 'Very helpful, thank you' }, { site: 'ABV', at: T(19) });
  ids.middling = await seedResponse({ info: 'yes', csat: 3, comment: 'OK but slow' }, { site: 'ABV', at: T(18) });
  ids.casablanca = await seedResponse({ info: 'no', missing: 'Facture incompréhensible', csat: 1 }, { site: 'CAS', queue: 'billing', at: T(17) });
  ids.noText = await seedResponse({ info: 'no', csat: 1 }, { site: 'ABV', at: T(16) });
  ids.october = await seedResponse({ info: 'no', missing: 'Old news' }, { site: 'ABV', at: new Date(Date.UTC(2026, 9, 10, 10)) });
  ids.handled = await seedResponse(
    { info: 'no', missing: 'Already called back' },
    { site: 'DRX', at: T(15), handled: { at: T(15, 12), by: 'someone', byEmail: 'lea@example.com', note: 'Called her back' } },
  );
});

describe('GET /reports/comments', () => {
  it('sends an anonymous visitor to the sign-in page', async () => {
    const res = await request(app).get(`/reports/comments?${NOV}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(`/reports/comments?${NOV}`)}`);
  });

  it('lists the responses with a text answer of the period, newest first, with their context and answers', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const page = await agent.get(`/reports/comments?${NOV}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Comments</h1>');
    expect(listed(page.text)).toEqual([ids.refund, ids.happy, ids.middling, ids.casablanca, ids.handled]);
    const item = page.text.slice(page.text.indexOf(`id="r-${ids.refund}"`), page.text.indexOf(`id="r-${ids.happy}"`));
    expect(item).toContain('Abbeville · business-support · b.durand');
    // 09:30 UTC is 10:30 in Abbeville.
    expect(item).toContain('>Nov 20, 2026, 10:30 AM</time>');
    expect(item).toContain('refund');
    expect(item).toMatch(/<dt>Did you get the information you needed\?<\/dt><dd>No<\/dd>/);
    expect(item).toMatch(/<dt>How satisfied are you with your call\?<\/dt><dd>2\/5<\/dd>/);
    expect(item).toContain('<dd>3/10</dd>');
    expect(item).toContain('<figcaption>What information was missing?</figcaption>');
    // The customer's words, escaped, with their line breaks and spaces as typed.
    expect(item).toContain('<blockquote class="verbatim">Nobody knew &lt;b&gt;when&lt;/b&gt; my refund (or credit?) comes.\n\n  Second   paragraph.</blockquote>');
    expect(item).not.toContain('<b>when</b>');
    expect(page.text).not.toContain(`r-${ids.noText}`);
    expect(page.text).not.toContain(`r-${ids.october}`);
  });

  it('shows the site’s time zone and the reader’s language', async () => {
    const { agent } = await loginAs(app, { role: 'admin', locale: 'fr' });
    const page = await agent.get(`/reports/comments?${NOV}&site=CAS`);
    expect(listed(page.text)).toEqual([ids.casablanca]);
    // 10:00 UTC is 11:00 in Casablanca (UTC+1).
    expect(page.text).toContain('17 nov. 2026, 11:00</time>');
    expect(page.text).toContain('<dt>Avez-vous obtenu l’information dont vous aviez besoin ?</dt><dd>Non</dd>');
  });

  it('filters by the answer to the information question, the score, handled or not, and the period', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    expect(listed((await agent.get(`/reports/comments?${NOV}&info=no`)).text)).toEqual([ids.refund, ids.casablanca, ids.handled]);
    expect(listed((await agent.get(`/reports/comments?${NOV}&info=yes`)).text)).toEqual([ids.happy, ids.middling]);
    expect(listed((await agent.get(`/reports/comments?${NOV}&score=csat-low`)).text)).toEqual([ids.refund, ids.casablanca]);
    expect(listed((await agent.get(`/reports/comments?${NOV}&score=csat-high`)).text)).toEqual([ids.happy]);
    expect(listed((await agent.get(`/reports/comments?${NOV}&score=nps-detractor`)).text)).toEqual([ids.refund]);
    expect(listed((await agent.get(`/reports/comments?${NOV}&handled=yes`)).text)).toEqual([ids.handled]);
    expect(listed((await agent.get(`/reports/comments?${NOV}&handled=no&site=ABV`)).text)).toEqual([ids.refund, ids.happy, ids.middling]);
    expect(listed((await agent.get(`/reports/comments?${OCT}`)).text)).toEqual([ids.october]);
    expect(listed((await agent.get(`/reports/comments?${NOV}&queue=billing`)).text)).toEqual([ids.casablanca]);
    // The selected values stay selected in the form.
    const page = await agent.get(`/reports/comments?${NOV}&info=no&score=csat-low`);
    expect(page.text).toContain('<option value="no" selected>No</option>');
    expect(page.text).toContain('<option value="csat-low" selected>Satisfaction 1-2</option>');
  });

  it('searches the text case-insensitively and literally: regex characters and operators are only text', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const search = async (q: string) => listed((await agent.get(`/reports/comments?${NOV}&q=${encodeURIComponent(q)}`)).text);
    expect(await search('REFUND')).toEqual([ids.refund]);
    expect(await search('(or credit?)')).toEqual([ids.refund]);
    expect(await search('.*')).toEqual([]);
    expect(await search('{"$ne":null}')).toEqual([]);
    expect(await search('facture INCOMPR')).toEqual([ids.casablanca]);
    // A NUL byte (which MongoDB refuses in a pattern) is dropped rather than failing the page.
    expect(await search('REF\0UND')).toEqual([ids.refund]);
    // A bracketed parameter is not an operator either: it is not a filter at all.
    expect(listed((await agent.get(`/reports/comments?${NOV}&q[$ne]=x`)).text)).toHaveLength(5);
  });

  it('shows one response by id, whatever its period and text, for the link of an alert', async () => {
    const { agent } = await loginAs(app, { role: 'quality', sites: ['ABV'] });
    const alone = await agent.get(`/reports/comments?response=${ids.noText}`);
    expect(listed(alone.text)).toEqual([ids.noText]);
    expect(alone.text).toMatch(/<a href="\/reports\/comments\?from[^"]*">See every comment<\/a>/);
    expect(alone.text).not.toMatch(/href="[^"]*response[^"]*">See every comment/);
    expect(listed((await agent.get(`/reports/comments?response=${ids.october}`)).text)).toEqual([ids.october]);
    // Another site's response is not shown to this lead.
    expect(listed((await agent.get(`/reports/comments?response=${ids.casablanca}`)).text)).toEqual([]);
  });

  it('answers 422 naming the filter for values it cannot use', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    for (const [query, message] of [
      ['info=maybe', 'info must be yes, no or any'],
      ['score=great', 'score must be one of csat-low'],
      [`q=${'x'.repeat(201)}`, 'the search is limited to 200 characters'],
      ['before=yesterday', 'before is not a page position'],
      ['response=123', 'response must be a response id'],
      ['from=2026-13-01', 'from'],
    ] as const) {
      const res = await agent.get(`/reports/comments?${query}`);
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
    }
  });
});

describe('scoping', () => {
  it('shows a quality lead only the comments of their sites, and refuses another site', async () => {
    const { agent } = await loginAs(app, { role: 'quality', sites: ['ABV'] });
    expect(listed((await agent.get(`/reports/comments?${NOV}`)).text)).toEqual([ids.refund, ids.happy, ids.middling]);
    const refused = await agent.get(`/reports/comments?${NOV}&site=CAS`);
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain('Facture');
  });
});

describe('pagination', () => {
  const many: string[] = [];
  beforeAll(async () => {
    // 30 comments at DRX, three at each of ten instants: ties are ordered by id.
    const docs = Array.from({ length: 30 }, (_, i) => responseDoc({ info: 'yes', comment: `Comment ${i}` }, { site: 'DRX', queue: 'billing', at: T(5, 10, Math.floor(i / 3)) }));
    await seedResponses(docs);
    many.push(...docs.map((d) => String(d._id)).reverse());
  });

  it('shows 25 a page, newest first, with links to older and newer pages that keep the filters', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const first = await agent.get(`/reports/comments?${NOV}&site=DRX&queue=billing`);
    expect(listed(first.text)).toEqual(many.slice(0, 25));
    expect(first.text).not.toContain('Newer comments');
    const older = /href="(\/reports\/comments\?[^"]*before[^"]*)">Older comments/.exec(first.text)?.[1]?.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
    expect(older).toContain('site=DRX');
    expect(older).toContain('queue=billing');
    const second = await agent.get(older!);
    expect(listed(second.text)).toEqual(many.slice(25));
    expect(second.text).not.toContain('Older comments');
    const newer = /href="(\/reports\/comments\?[^"]*after[^"]*)">Newer comments/.exec(second.text)?.[1]?.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
    const back = await agent.get(newer!);
    expect(listed(back.text)).toEqual(many.slice(0, 25));
    expect(back.text).not.toContain('Newer comments');
    expect(back.text).toContain('Older comments');
  });
});

describe('cost: a page reads about its size, not the period', () => {
  const YEAR = 'from=2025-01-01&to=2025-12-31';
  const older: string[] = [];
  async function scanned(): Promise<number> {
    const status = await mongoose.connection.db!.admin().command({ serverStatus: 1 });
    return status.metrics.queryExecutor.scannedObjects as number;
  }
  /** Documents the engine read (every collection) to answer `path`, and the comments shown. */
  async function measured(agent: { get(path: string): Promise<{ text: string }> }, path: string) {
    const before = await scanned();
    const res = await agent.get(path);
    return { read: (await scanned()) - before, items: listed(res.text) };
  }

  beforeAll(async () => {
    // 3,000 responses over 2025 at three sites, a quarter without a text answer.
    const docs = Array.from({ length: 3000 }, (_, i) =>
      responseDoc({ info: 'yes', csat: 4, comment: i % 4 === 0 ? undefined : `Year comment ${i}` }, { site: ['ABV', 'CAS', 'DRX'][i % 3], at: new Date(Date.UTC(2025, 0, 1, 8) + i * 2.9 * 3600_000) }),
    );
    await seedResponses(docs);
    older.push(...docs.filter((d) => d.text !== null).map((d) => String(d._id)).reverse());
  });

  it('reads a page and one a site plus the responses without text it skips, on the first page and deep in the list', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const first = await measured(agent, `/reports/comments?${YEAR}`);
    expect(first.items).toEqual(older.slice(0, 25));
    // 3 sites × 26, plus about a quarter skipped, plus the page's own reads (session, sites, template).
    expect(first.read).toBeLessThan(200);
    const cursor = await storedResponse(older[1499]!);
    const deep = await measured(agent, `/reports/comments?${YEAR}&before=${cursor.updatedAt.getTime()}.${older[1499]}`);
    expect(deep.items).toEqual(older.slice(1500, 1525));
    expect(deep.read).toBeLessThan(200);
  });
});

describe('closing the loop', () => {
  it('refuses the form without the CSRF token', async () => {
    const { agent } = await loginAs(app, { role: 'quality', sites: ['ABV'] });
    const res = await agent.post(`/reports/comments/${ids.middling}/handled`).type('form').send({ note: 'x' });
    expect(res.status).toBe(403);
    expect((await storedResponse(ids.middling)).handled).toBeNull();
  });

  it('marks a comment handled with a note, audits it, and comes back to the same filtered page', async () => {
    const lead = await loginAs(app, { role: 'quality', sites: ['ABV'], email: 'closer@example.com' });
    const page = await lead.agent.get(`/reports/comments?${NOV}&info=yes`);
    const before = await storedResponse(ids.middling);
    const action = `/reports/comments/${ids.middling}/handled?${NOV}&info=yes`;
    expect(page.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&')).toContain(`action="${action}"`);
    const res = await lead.agent.post(action).type('form').send({ _csrf: await lead.csrf(`/reports/comments?${NOV}`), note: '  Called back, sent the delay.  ' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/reports/comments?${NOV}&info=yes#r-${ids.middling}`);

    const after = await storedResponse(ids.middling);
    expect(after.handled).toMatchObject({ by: lead.user.id, byEmail: 'closer@example.com', note: 'Called back, sent the delay.' });
    expect(after.updatedAt).toEqual(before.updatedAt);
    const audit = await AuditEntry.findOne({ action: 'response.handle', 'target.id': ids.middling }).lean();
    expect(audit).toMatchObject({ actor: { type: 'user', label: 'closer@example.com' }, target: { type: 'response' }, before: { handled: null }, after: { handled: { note: 'Called back, sent the delay.' } } });

    const shown = await lead.agent.get(res.headers.location!.split('#')[0]!);
    const item = shown.text.slice(shown.text.indexOf(`id="r-${ids.middling}"`));
    expect(item).toContain('Handled by closer@example.com');
    expect(item).toContain('Called back, sent the delay.');
    expect(item).toContain(`/reports/comments/${ids.middling}/reopen`);
    expect(listed((await lead.agent.get(`/reports/comments?${NOV}&handled=no`)).text)).not.toContain(ids.middling);
  });

  it('keeps a note that is too long and says why, changing nothing', async () => {
    const lead = await loginAs(app, { role: 'quality', sites: ['ABV'] });
    const note = `${'Long story. '.repeat(90)}<end>`;
    const res = await lead.agent
      .post(`/reports/comments/${ids.happy}/handled?${NOV}`)
      .type('form')
      .send({ _csrf: await lead.csrf(`/reports/comments?${NOV}`), note });
    expect(res.status).toBe(422);
    expect(res.text).toContain('The note can be 1000 characters at most: shorten it.');
    expect(res.text).toContain(`href="#note-${ids.happy}"`);
    expect(res.text).toContain(`aria-invalid="true" aria-describedby="note-${ids.happy}-error">${note.replace('<end>', '&lt;end&gt;')}</textarea>`);
    expect((await storedResponse(ids.happy)).handled).toBeNull();
  });

  it('answers 404 to a lead marking a comment of another site, and to an unknown id', async () => {
    const lead = await loginAs(app, { role: 'quality', sites: ['ABV'] });
    const csrf = await lead.csrf(`/reports/comments?${NOV}`);
    const other = await lead.agent.post(`/reports/comments/${ids.casablanca}/handled`).type('form').send({ _csrf: csrf, note: 'mine now' });
    expect(other.status).toBe(404);
    expect((await storedResponse(ids.casablanca)).handled).toBeNull();
    expect((await lead.agent.post('/reports/comments/not-an-id/handled').type('form').send({ _csrf: csrf })).status).toBe(404);
    expect((await lead.agent.post(`/reports/comments/${ids.casablanca}/reopen`).type('form').send({ _csrf: csrf })).status).toBe(404);
  });

  it('reopens a handled comment, audited', async () => {
    const lead = await loginAs(app, { role: 'quality', sites: ['DRX'] });
    const res = await lead.agent
      .post(`/reports/comments/${ids.handled}/reopen?${NOV}&handled=yes`)
      .type('form')
      .send({ _csrf: await lead.csrf(`/reports/comments?${NOV}`) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/reports/comments?${NOV}&handled=yes#r-${ids.handled}`);
    expect((await storedResponse(ids.handled)).handled).toBeNull();
    const audit = await AuditEntry.findOne({ action: 'response.reopen', 'target.id': ids.handled }).lean();
    expect(audit).toMatchObject({ before: { handled: { note: 'Called her back' } }, after: { handled: null } });
  });
});
