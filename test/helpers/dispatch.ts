/**
 * Fixtures for the invitation and dispatch tests (with useTestDatabase()): the published
 * default template and the Abbeville site, invitations scheduled through the real
 * service, workers that only run when told (runOnce), and readers for what was delivered.
 */
import { Invitation, type InvitationRecord } from '../../server/invitations/model';
import { createInvitation, startDispatchWorker, type DispatchWorker, type DispatchWorkerDeps, type NewInvitation } from '../../server/invitations';
import type { Config } from '../../server/config';
import { createLogger } from '../../server/logger';
import { createMailer, type Mailer } from '../../server/mail';
import { createSite } from '../../server/sites';
import { seedTemplate } from './templates';
import { testConfig } from './app';
import { startSmtpCapture, type SmtpCapture } from './smtp-capture';

export const PUBLIC_URL = 'https://feedback.example.com';
export const DAY = 86_400_000;
export const logger = createLogger({ logLevel: process.env.LOG_LEVEL === undefined ? 'silent' : 'debug' });

/** The template `post-call` (version 1 published) and the site ABV (Abbeville). */
export async function seedSurveyWorld(): Promise<void> {
  await seedTemplate('post-call');
  await createSite('ABV', { name: 'Abbeville', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' }, { type: 'system' });
}

export interface SmtpWorld {
  smtp: SmtpCapture;
  mailer: Mailer;
  config: Config;
  stop(): Promise<void>;
}

/** The survey world, an SMTP capture on loopback and a mailer configured to send to it. */
export async function startSmtpWorld(): Promise<SmtpWorld> {
  await seedSurveyWorld();
  const smtp = await startSmtpCapture();
  const config = testConfig({ SMTP_URL: smtp.url, MAIL_FROM: 'Retour <surveys@example.com>', PUBLIC_URL });
  const mailer = createMailer(config, logger);
  return {
    smtp,
    mailer,
    config,
    async stop() {
      await mailer.close();
      await smtp.stop();
    },
  };
}

let calls = 0;

/** An invitation due at `sendAt`, open for 7 days, with no reminder unless given. */
export async function schedule(
  email: string,
  sendAt: Date,
  extra: Partial<Omit<NewInvitation, 'customer'>> & { locale?: 'fr' | 'en'; name?: string } = {},
): Promise<{ id: string; token: string }> {
  calls += 1;
  const { locale = 'fr', name = 'Claire Dubois', ...rest } = extra;
  return createInvitation({
    callId: `call-${process.pid}-${calls}`,
    externalId: `pbx-${calls}`,
    site: 'ABV',
    queue: 'business-support',
    agent: 'a.martin',
    reason: 'billing',
    customer: { email, name, locale },
    templateKey: 'post-call',
    sendAt,
    expiresAt: new Date(sendAt.getTime() + 7 * DAY),
    ...rest,
  });
}

/** A worker without its polling loop: the test calls runOnce(now). Retries wait 60 s × 2^n (jitter fixed at half). */
export function testWorker(mailer: Mailer, config: Config, extra: Partial<DispatchWorkerDeps> = {}): DispatchWorker {
  return startDispatchWorker({ mailer, config, logger, loop: false, random: () => 0.5, ...extra });
}

export async function stored(id: string): Promise<InvitationRecord> {
  const doc = await Invitation.findById(id).lean<InvitationRecord>();
  if (!doc) throw new Error(`no invitation ${id}`);
  return doc;
}

export function receivedBy(smtp: SmtpCapture, address: string) {
  return smtp.received.filter((m) => m.envelope.to.includes(address));
}

/** The survey token in an email's plain text (the "full survey" link). */
export function surveyToken(text: string | undefined): string {
  const match = new RegExp(`${PUBLIC_URL}/s/([A-Za-z0-9_-]+)(?=\\s)`).exec(text ?? '');
  if (!match?.[1]) throw new Error('no survey link in the email');
  return match[1];
}

export const at = (base: Date, ms: number) => new Date(base.getTime() + ms);
