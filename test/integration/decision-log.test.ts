/**
 * The decision log at /admin/calls: each call's survey decision and reason in the
 * reader's language, counts per outcome per queue and per agent, filters and paging,
 * and one call's page. Calls come in through ingestCalls with a fixed "now".
 */
import { ingestCalls } from '../../server/calls';
import { suppressAddress } from '../../server/suppressions';
import { callsTestKit, makeCall } from '../helpers/calls';
import { useTestDatabase } from '../helpers/database';
import { unescapeHtml } from '../helpers/html-form';
import { loginAs } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app, queue } = callsTestKit();
const NOW = new Date('2026-11-20T20:10:00Z');
const source = { type: 'api' as const, id: 'log-test' };
const at = (iso: string) => ({ endedAt: iso });

/** The text of the table row whose header cell links to `key` (shown alone, or after its name), cells separated by "|". */
function countRow(html: string, sectionId: string, key: string): string {
  const section = html.slice(html.indexOf(`id="${sectionId}"`));
  const row = new RegExp(`<tr>\\s*<th scope="row"><a href="[^"]*">(?:${key}|[^<]+ <span class="muted">\\(${key}\\)</span>)</a></th>([\\s\\S]*?)</tr>`).exec(section)?.[1] ?? '';
  return row.replace(/<[^>]+>/g, '|').replace(/\s+/g, '').replace(/\|+/g, '|').replace(/^\||\|$/g, '');
}

beforeAll(async () => {
  await queue('business-support', 'ABV', { quietHours: { start: '20:00', end: '09:00' } });
  await queue('sales', 'CAS', { samplingRate: 0, quietHours: null });
  await suppressAddress('left@example.fr', 'unsubscribed');
  await ingestCalls(
    [
      makeCall({ externalId: 'log-evening', agent: 'a.martin', ...at('2026-11-20T20:00:00Z'), customer: { email: 'twice@example.fr' } }),
      makeCall({ externalId: 'log-again', agent: 'a.martin', ...at('2026-11-20T20:05:00Z'), customer: { email: 'twice@example.fr' } }),
      makeCall({ externalId: 'log-left', agent: 'b.diallo', ...at('2026-11-20T19:00:00Z'), customer: { email: 'left@example.fr' } }),
      makeCall({ externalId: 'log-sales', queue: 'sales', agent: 'b.diallo', ...at('2026-11-20T18:00:00Z') }),
    ],
    source,
    { now: NOW },
  );
});

describe('who may read the decision log', () => {
  it('is for admins only', async () => {
    const { agent } = await loginAs(app, { role: 'quality' });
    expect((await agent.get('/admin/calls').set('Accept-Language', 'en')).status).toBe(403);
    expect((await agent.get('/admin/calls/log-evening').set('Accept-Language', 'en')).status).toBe(403);
  });
});

describe('the log', () => {
  it('shows each call’s decision and reason in the reader’s language', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const en = await agent.get('/admin/calls?lang=en');
    expect(en.status).toBe(200);
    expect(en.text).toContain('Survey decisions');
    expect(en.text).toMatch(/Outside hours → sent on Nov 21, 2026, 9:00\s?AM \(Europe\/Paris\)/);
    expect(en.text).toMatch(/Quarantined until Dec 21, 2026 \(surveyed on Nov 21, 2026\)/);
    expect(en.text).toContain('No survey: the customer unsubscribed');
    expect(en.text).toContain('Not drawn by sampling');

    const fr = await agent.get('/admin/calls?lang=fr');
    expect(fr.text).toContain('Décisions d’envoi');
    expect(fr.text).toMatch(/Hors horaires → envoyé le 21 nov\. 2026, 09:00 \(Europe\/Paris\)/);
    expect(fr.text).toContain('En quarantaine jusqu’au 21 déc. 2026');
    expect(fr.text).toContain('Pas de questionnaire : le client s’est désinscrit');
  });

  it('counts decisions per queue and per agent, with totals', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get('/admin/calls?lang=en');
    // Columns: scheduled, suppressed, quarantined, sampled out, total.
    expect(countRow(res.text, 'by-queue', 'business-support')).toBe('1|1|1|0|3');
    expect(countRow(res.text, 'by-queue', 'sales')).toBe('0|0|0|1|1');
    expect(countRow(res.text, 'by-agent', 'a.martin')).toBe('1|0|1|0|2');
    expect(countRow(res.text, 'by-agent', 'b.diallo')).toBe('0|1|0|1|2');
    // Queues by the name readers know them by, their code beside it; agents by their id.
    expect(res.text).toContain('>Queue business-support <span class="muted">(business-support)</span></a>');
    expect(res.text).toMatch(/<tfoot>[\s\S]*?>1<\/td>\s*<td class="num">1<\/td>\s*<td class="num">1<\/td>\s*<td class="num">1<\/td>\s*<td class="num">4<\/td>/);
  });

  it('filters by outcome, agent, queue and dates, and keeps the filter in the count links', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const quarantined = await agent.get('/admin/calls?lang=en&outcome=quarantined');
    expect(quarantined.text).toContain('log-again');
    expect(quarantined.text).not.toContain('log-evening');
    expect(unescapeHtml(quarantined.text)).toContain('href="/admin/calls?outcome=quarantined&queue=business-support"');

    const byAgent = await agent.get('/admin/calls?lang=en&agent=b.diallo');
    expect(byAgent.text).toContain('log-left');
    expect(byAgent.text).toContain('log-sales');
    expect(byAgent.text).not.toContain('log-again');

    // Each call's queue and agent link to the log of that queue or agent.
    const all = unescapeHtml((await agent.get('/admin/calls?lang=en')).text);
    expect(all).toContain('<td><a href="/admin/calls?queue=sales">Queue sales</a></td>');
    expect(all).toContain('<td><a href="/admin/calls?agent=b.diallo">b.diallo</a></td>');

    const byQueue = await agent.get('/admin/calls?lang=en&queue=sales');
    expect(byQueue.text).toContain('log-sales');
    expect(byQueue.text).not.toContain('log-left');

    const none = await agent.get('/admin/calls?lang=en&from=2026-11-21&to=2026-11-22');
    expect(none.text).toContain('No call matches.');
    const day = await agent.get('/admin/calls?lang=en&from=2026-11-20&to=2026-11-20');
    expect(day.text).toContain('log-sales');
  });

  it('answers 422 for a malformed filter', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get('/admin/calls?lang=en&from=yesterday');
    expect(res.status).toBe(422);
  });

  it('pages through calls newest first, 50 at a time', async () => {
    await queue('busy', 'ABV', { quietHours: null, quarantineDays: 0 });
    const many = Array.from({ length: 55 }, (_, i) => makeCall({ queue: 'busy', externalId: `busy-${String(i).padStart(2, '0')}`, ...at(new Date(NOW.getTime() - (i + 1) * 60_000).toISOString()) }));
    await ingestCalls(many, source, { now: NOW });
    const { agent } = await loginAs(app, { role: 'admin' });
    const first = await agent.get('/admin/calls?lang=en&queue=busy');
    expect(first.text).toContain('busy-00');
    expect(first.text).toContain('busy-49');
    expect(first.text).not.toContain('busy-50');
    const older = /href="(\/admin\/calls\?[^"]*before=[^"]*)">Older calls/.exec(unescapeHtml(first.text))?.[1];
    expect(older).toBeDefined();
    const second = await agent.get(older as string);
    expect(second.text).toContain('busy-50');
    expect(second.text).toContain('busy-54');
    expect(second.text).not.toContain('busy-49');
    expect(second.text).not.toContain('Older calls');
  });
});

describe('one call', () => {
  it('shows the call, its decision and the API’s reason', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get('/admin/calls/log-again?lang=en');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Call log-again');
    expect(res.text).toContain('Quarantined');
    expect(unescapeHtml(res.text)).toContain('<a href="/admin/calls?queue=business-support">Queue business-support <span class="muted">(business-support)</span></a>');
    expect(res.text).toContain('<dd lang="en">quarantined until 2026-12-21 (surveyed on 2026-11-21)</dd>');
    expect((await agent.get('/admin/calls/nope?lang=en')).status).toBe(404);
  });
});
