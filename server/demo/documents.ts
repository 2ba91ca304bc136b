/**
 * The generated demo as stored documents, spelled out field by field the way ingest, the
 * dispatch worker and the survey would have left them (the loader inserts them in bulk,
 * without Mongoose's per-document work). Ids are made here; no token exists for a demo
 * invitation: the worker issues a fresh one with each email it sends.
 */
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { decisionRecord } from '../calls';
import { hashEmail } from '../suppressions';
import { localDate } from '../time/local-time';
import type { DemoData } from './generate';
import type { DemoUsers } from './world';

export const DEMO_SOURCE = { type: 'api', id: 'demo' } as const;
/** Every demo call's externalId starts so (a crashed load is cleaned up by it). */
export const DEMO_PREFIX = 'demo-';

type Doc = Record<string, unknown>;

export interface DemoDocuments {
  calls: Doc[];
  invitations: Doc[];
  responses: Doc[];
  suppressions: { hash: string; reason: string; source: string; createdAt: Date }[];
}

const latest = (...dates: (Date | null)[]) => new Date(Math.max(...dates.map((d) => d?.getTime() ?? 0)));

export function demoDocuments(data: DemoData, templateVersionId: string, users: DemoUsers): DemoDocuments {
  const zones = new Map(data.plan.sites.map((s) => [s.code, s.timezone]));
  const template = new Map(data.plan.queues.map((q) => [q.code, q.survey.template ?? 'post-call']));
  const hashes = data.customers.map((c) => hashEmail(c.email));
  const callIds = data.calls.map(() => new Types.ObjectId());
  const invitationIds = data.invitations.map(() => new Types.ObjectId());
  const externalId = (i: number) => `${DEMO_PREFIX}${String(i + 1).padStart(6, '0')}`;
  const day = (i: number) => localDate(data.calls[i]!.endedAt, zones.get(data.calls[i]!.site) as string);

  const calls = data.calls.map((call, i) => {
    const d = data.decisions[i]!;
    const customer = data.customers[call.customer]!;
    return {
      _id: callIds[i],
      externalId: externalId(i),
      endedAt: call.endedAt,
      site: call.site,
      queue: call.queue,
      agent: call.agent,
      reason: call.reason,
      durationSec: call.durationSec,
      customer: { email: customer.email, name: customer.name, locale: customer.locale },
      customerHash: hashes[call.customer],
      week: d.week,
      day: day(i),
      templateKey: template.get(call.queue),
      // As ingest keeps it: only surveyed calls are flagged.
      calledBack: d.outcome === 'scheduled' && call.calledBack,
      decision: decisionRecord(d, d.decidedAt),
      source: { ...DEMO_SOURCE },
      createdAt: d.decidedAt,
    };
  });

  const secrets = randomBytes(32 * data.invitations.length);
  const invitations = data.invitations.map((inv, i) => {
    const call = data.calls[inv.call]!;
    const customer = data.customers[call.customer]!;
    const createdAt = data.decisions[inv.call]!.decidedAt;
    return {
      _id: invitationIds[i],
      // A random value in the shape of a token hash that no token matches.
      tokenHashes: [secrets.subarray(i * 32, (i + 1) * 32).toString('hex')],
      callId: callIds[inv.call]!.toHexString(),
      externalId: externalId(inv.call),
      site: call.site,
      queue: call.queue,
      agent: call.agent,
      reason: call.reason,
      callEndedAt: call.endedAt,
      day: day(inv.call),
      customer: { email: customer.email, name: customer.name, locale: customer.locale },
      templateKey: template.get(call.queue),
      templateVersionId: inv.sentAt ? templateVersionId : null,
      state: inv.state,
      sendAt: inv.sendAt,
      attempts: inv.attempts,
      nextAttemptAt: inv.nextAttemptAt,
      lease: null,
      lastError: inv.lastError,
      sentAt: inv.sentAt,
      reminderAt: inv.reminderAt,
      reminderAttempts: inv.reminderAttempts,
      reminderSentAt: inv.reminderSentAt,
      expiresAt: inv.expiresAt,
      unsubscribedAt: inv.unsubscribedAt,
      openedAt: inv.openedAt,
      answeredAt: inv.answeredAt,
      createdAt,
      updatedAt: latest(createdAt, inv.sentAt, inv.reminderSentAt, inv.openedAt, inv.answeredAt, inv.unsubscribedAt),
      __v: 0,
    };
  });

  const responses = data.responses.map((r) => {
    const inv = data.invitations[r.invitation]!;
    const call = data.calls[inv.call]!;
    const customer = data.customers[call.customer]!;
    const by = r.handled ? users[r.handled.by] : null;
    return {
      _id: new Types.ObjectId(),
      invitationId: invitationIds[r.invitation]!.toHexString(),
      callId: callIds[inv.call]!.toHexString(),
      externalId: externalId(inv.call),
      site: call.site,
      queue: call.queue,
      agent: call.agent,
      reason: call.reason,
      callEndedAt: call.endedAt,
      day: day(inv.call),
      customerHash: hashes[call.customer],
      templateKey: template.get(call.queue),
      templateVersionId,
      locale: customer.locale,
      channel: r.channel,
      answers: r.answers,
      gotInformation: r.gotInformation,
      csat: r.csat,
      nps: r.nps,
      ces: null,
      text: r.text,
      complete: r.complete,
      startedAt: r.startedAt,
      submittedAt: r.submittedAt,
      revision: r.revision,
      rollupPending: false,
      handled: r.handled && by ? { at: r.handled.at, by: by.id, byEmail: by.email, note: r.handled.note } : null,
      alert: r.alert,
      createdAt: r.startedAt,
      updatedAt: latest(r.startedAt, r.submittedAt, r.handled?.at ?? null),
      __v: 0,
    };
  });

  const suppressions = data.suppressions.map((s) => ({
    hash: hashes[s.customer] as string,
    reason: s.reason,
    source: invitationIds[s.invitation]!.toHexString(),
    createdAt: s.at,
  }));
  return { calls, invitations, responses, suppressions };
}
