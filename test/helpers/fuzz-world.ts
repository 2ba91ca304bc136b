/**
 * A world of stored payloads for the escaping checks: every field that staff, the
 * telephony system or a customer types and someone else reads, filled through the real
 * routes (admin forms with CSRF, the API, the CSV import, the survey) with a script
 * payload that names its field, then the emails that show them sent to the outbox
 * (invitations, an alert, the weekly digest). `stored` lists every field name used.
 */
import type { Express } from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { startAlertSender } from '../../server/alerts';
import type { Config } from '../../server/config';
import { runDigestPass } from '../../server/digest';
import type { Mailer } from '../../server/mail';
import { logger, testWorker } from './dispatch';
import { scriptPayloads } from './fuzz';
import { formValues } from './html-form';

export interface HostileWorld {
  /** The names of every stored payload (each payload contains its name). */
  stored: string[];
  /** Survey tokens of the invitations sent. */
  tokens: string[];
  externalIds: string[];
  importPage: string;
}

export interface WorldDeps {
  app: Express;
  admin: request.Agent;
  csrf: string;
  apiKey: string;
  mailer: Mailer;
  config: Config;
}

const HOUR = 3_600_000;

export async function storePayloads({ app, admin, csrf, apiKey, mailer, config }: WorldDeps): Promise<HostileWorld> {
  const stored: string[] = [];
  let turn = 0;
  /** A payload named `name`, at most `max` characters, of a different kind each time. */
  const hostile = (name: string, max: number) => {
    stored.push(name);
    const fitting = scriptPayloads(name).filter((p) => p.length <= max);
    turn += 1;
    return fitting[turn % fitting.length] as string;
  };
  const pair = (name: string, max: number) => ({ fr: hostile(`${name}fr`, max), en: hostile(`${name}en`, max) });
  const expectStatus = (res: request.Response, statuses: number[], what: string) => {
    if (!statuses.includes(res.status)) throw new Error(`${what} answered ${res.status}: ${res.text.slice(0, 400)}`);
    return res;
  };
  const post = async (url: string, form: Record<string, unknown>, what: string, statuses = [303]) =>
    expectStatus(await admin.post(url).type('form').send({ ...form, _csrf: csrf }), statuses, what);
  const api = (method: 'put' | 'post', url: string, body: object) => request(app)[method](url).set('Authorization', `Bearer ${apiKey}`).send(body);

  // Sites, one from the admin form and one from the API.
  await post('/admin/sites', { code: 'ZQ', name: hostile('zqsite', 100), country: 'FR', timezone: 'Europe/Paris', locale: 'fr' }, 'the new-site form');
  expectStatus(await api('put', '/api/v1/sites/ZQAPI', { name: hostile('zqapisite', 100), country: 'MA', timezone: 'Africa/Casablanca', locale: 'fr' }), [201], 'PUT /api/v1/sites');

  // A survey template whose every text is a payload, imported then published.
  const template = {
    key: 'zq-survey',
    name: pair('zqtplname', 120),
    intro: pair('zqintro', 1000),
    questions: [
      { id: 'info', type: 'yesno', label: pair('zqinfo', 300), help: pair('zqhelp', 500), required: true, information: true },
      { id: 'missing', type: 'text', label: pair('zqmisslabel', 300), required: false, showIf: { question: 'info', equals: 'no' }, maxLength: 1000 },
      { id: 'csat', type: 'csat', label: pair('zqcsat', 300), required: true, scale: { low: pair('zqlow', 60), high: pair('zqhigh', 60) } },
      { id: 'topic', type: 'choice', label: pair('zqtopic', 300), required: false, multiple: true, options: [{ id: 'a', label: pair('zqopta', 200) }, { id: 'b', label: pair('zqoptb', 200) }] },
      { id: 'comment', type: 'text', label: pair('zqcommentlabel', 300), required: false, maxLength: 2000 },
    ],
  };
  await post('/admin/templates/import', { json: JSON.stringify(template) }, 'the template import');
  const publish = formValues((await admin.get('/admin/templates/zq-survey/publish')).text, '/publish');
  await post('/admin/templates/zq-survey/publish', publish, 'publishing the template');

  // A queue at ZQ on that template, surveyed at once, with a move to ZQAPI planned (and its note).
  const queue = formValues((await admin.get('/admin/queues/new')).text, '/admin/queues');
  delete queue.quietHours;
  await post('/admin/queues', { ...queue, code: 'zq-queue', name: hostile('zqqueue', 100), site: 'ZQ', template: 'zq-survey', delayMinutes: '0', samplingPercent: '100', since: '' }, 'the new-queue form');
  const later = new Date(Date.now() + 20 * 24 * HOUR).toISOString().slice(0, 10);
  await post('/admin/queues/zq-queue/relocate', { site: 'ZQAPI', date: later, time: '08:00', note: hostile('zqnote', 500), confirm: 'yes' }, 'the relocation form');

  // People and keys.
  await post('/admin/users', { email: 'zq.lead@example.com', name: hostile('zquser', 100), role: 'quality', sites: 'ZQ', locale: 'en' }, 'the invitation form');
  await post('/admin/api-keys', { name: hostile('zqkey', 100) }, 'the new-key form');

  // Calls from the telephony system, and from a CSV import.
  const endedAt = new Date(Date.now() - HOUR).toISOString();
  const calls = [1, 2, 3].map((n) => ({
    externalId: hostile(`zqext${n}`, 200),
    endedAt,
    queue: 'zq-queue',
    agent: hostile(`zqagent${n}`, 100),
    reason: hostile(`zqreason${n}`, 100),
    durationSec: 60,
    customer: { email: `zq.customer${n}@example.com`, name: hostile(`zqname${n}`, 200), locale: n === 2 ? 'en' : 'fr' },
  }));
  const ingested = expectStatus(await api('post', '/api/v1/calls', { calls }), [202], 'POST /api/v1/calls');
  const outcomes = (ingested.body as { results: { outcome: string; reason?: string }[] }).results;
  if (outcomes.some((o) => o.outcome !== 'scheduled')) throw new Error(`calls not scheduled: ${JSON.stringify(outcomes)}`);
  const cell = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const csv = `externalId;endedAt;queue;email;name;agent;reason\n${['zqcsvext', endedAt, 'zq-queue', 'zq.csv@example.com', hostile('zqcsvname', 200), hostile('zqcsvagent', 100), hostile('zqcsvreason', 100)].map(cell).join(';')}\n`;
  const upload = expectStatus(await admin.post('/admin/calls/import').field('_csrf', csrf).attach('file', Buffer.from(csv), 'calls.csv').redirects(0), [303], 'the CSV upload');
  const importPage = String(upload.headers.location);
  await post(`${importPage}/mapping`, formValues((await admin.get(importPage)).text, '/mapping'), 'the CSV mapping');
  await post(`${importPage}/run`, {}, 'the CSV import', [200, 303]);

  // The invitations go out; their links lead to the survey.
  await testWorker(mailer, config).runOnce(new Date(Date.now() + 60_000));
  const emails = await mongoose.connection.collection('outboxmessages').find({}).toArray();
  const tokens = [...new Set(emails.flatMap((m) => [...String(m.text).matchAll(/\/s\/([A-Za-z0-9_-]{43})/g)].map((x) => x[1] as string)))];
  if (tokens.length < 3) throw new Error(`expected invitation emails, found ${emails.length} messages and ${tokens.length} links`);

  // Customers answer: unhappy, with payloads in every text, as JSON and as a form.
  for (const [i, token] of tokens.entries()) {
    // The first also tries a spreadsheet formula, for the CSV exports.
    const missing = i === 0 ? (stored.push('zqformula'), '=HYPERLINK("https://evil.example","zqformula")') : hostile(`zqmissing${i}`, 1000);
    const answers = { info: 'no', missing, csat: '1', topic: ['a', 'b'], comment: hostile(`zqcomment${i}`, 2000) };
    const res = i % 2 === 0 ? await request(app).post(`/s/${token}`).send({ answers: { ...answers, csat: 1 } }) : await request(app).post(`/s/${token}`).type('form').send(answers);
    expectStatus(res, [200, 303], `POST /s/${token}`);
  }
  // The alert to ZQ's lead, a lead's note on each comment, and the weekly digest.
  await startAlertSender({ mailer, config, logger, loop: false }).runOnce(new Date());
  for (const response of await mongoose.connection.collection('responses').find({ site: 'ZQ' }).toArray()) {
    await post(`/reports/comments/${String(response._id)}/handled`, { note: hostile('zqhandled', 1000) }, 'the handled note');
  }
  const monday = new Date();
  monday.setUTCDate(monday.getUTCDate() + ((8 - monday.getUTCDay()) % 7 || 7));
  monday.setUTCHours(10, 0, 0, 0);
  await runDigestPass({ mailer, config, logger }, monday);
  const tags = new Set((await mongoose.connection.collection('outboxmessages').find({}).toArray()).map((m) => m.tag as unknown));
  for (const tag of ['alert', 'digest']) if (!tags.has(tag)) throw new Error(`no ${tag} email in the outbox (tags: ${[...tags].join(', ')})`);
  return { stored, tokens, externalIds: [...calls.map((c) => c.externalId), 'zqcsvext'], importPage };
}
