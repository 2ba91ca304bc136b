/**
 * The SMTP transport against a real SMTP server on loopback: what a customer's mail
 * server receives (both parts, each locale, unsubscribe headers, links that work), and how
 * refusals are classified for retries: 550 permanent, 421/451 temporary, connection
 * refused and a silent server temporary, our own set-up problems never a hard bounce.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createInvitation } from '../../server/invitations';
import { buildInvitationEmail, createMailer, createSmtpMailer, MailError, type Mailer, type OutgoingMail } from '../../server/mail';
import { createLogger } from '../../server/logger';
import { isSuppressed } from '../../server/suppressions';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const logger = createLogger({ logLevel: 'silent' });
const PUBLIC_URL = 'https://feedback.example.com';
let smtp: SmtpCapture;
let mailer: Mailer;
let app: ReturnType<typeof createTestApp>['app'];

beforeAll(async () => {
  smtp = await startSmtpCapture();
  const test = createTestApp({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Retour <surveys@example.com>', PUBLIC_URL } });
  app = test.app;
  mailer = createMailer(test.config, logger);
});
afterAll(async () => {
  await mailer.close();
  await smtp.stop();
});

let calls = 0;
async function invitation(email: string, locale: 'fr' | 'en') {
  calls += 1;
  const now = Date.now();
  return createInvitation({
    callId: `smtp-call-${calls}`,
    externalId: `pbx-smtp-${calls}`,
    site: 'ABV',
    queue: 'business-support',
    customer: { email, name: 'Claire Dubois', locale },
    templateKey: 'post-call',
    sendAt: new Date(now),
    expiresAt: new Date(now + 7 * 86_400_000),
  });
}

function email(to: string, token: string, locale: 'fr' | 'en'): OutgoingMail {
  const questionLabel = locale === 'fr' ? 'Avez-vous obtenu l’information dont vous aviez besoin ?' : 'Did you get the information you needed?';
  return buildInvitationEmail(
    { to, token, locale, siteName: 'Abbeville', customerName: 'Claire Dubois', questionLabel, expiresAt: new Date('2026-12-01T10:00:00Z'), kind: 'invitation' },
    { publicUrl: PUBLIC_URL },
  );
}

function header(mail: SmtpCapture['received'][number], name: string): string | undefined {
  const line = mail.parsed.headerLines.find((h) => h.key === name.toLowerCase())?.line;
  return line?.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
}

function receivedBy(address: string) {
  const found = smtp.received.filter((m) => m.envelope.to.includes(address));
  expect(found).toHaveLength(1);
  return found[0]!;
}

async function failure(send: Promise<unknown>): Promise<MailError> {
  const err = await send.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MailError);
  return err as MailError;
}

describe('what the customer receives over SMTP', () => {
  it('is a French email with a plain-text and an HTML part, from MAIL_FROM, with its subject', async () => {
    const { token } = await invitation('claire@example.fr', 'fr');
    const sent = await mailer.send(email('claire@example.fr', token, 'fr'));
    expect(sent.messageId).toMatch(/^<.+@.+>$/);
    const mail = receivedBy('claire@example.fr');
    expect(mail.envelope.from).toBe('surveys@example.com');
    expect(mail.parsed.from?.value[0]).toMatchObject({ name: 'Retour', address: 'surveys@example.com' });
    expect(mail.parsed.subject).toBe('Une question sur votre récent appel');
    expect(mail.raw).toMatch(/Content-Type: multipart\/alternative/i);
    expect(mail.parsed.text).toContain('Avez-vous obtenu l’information dont vous aviez besoin ?');
    expect(mail.parsed.text).toContain(`Oui\u00a0: ${PUBLIC_URL}/s/${token}?a=info:yes`);
    expect(mail.parsed.html).toContain('<html lang="fr">');
    expect(mail.parsed.html).toContain('Répondre au questionnaire complet');
  });

  it('is an English email for an English customer', async () => {
    const { token } = await invitation('sam@example.co.uk', 'en');
    await mailer.send(email('sam@example.co.uk', token, 'en'));
    const mail = receivedBy('sam@example.co.uk');
    expect(mail.parsed.subject).toBe('One question about your recent call');
    expect(mail.parsed.text).toContain(`Yes: ${PUBLIC_URL}/s/${token}?a=info:yes`);
    expect(mail.parsed.text).toContain(`No: ${PUBLIC_URL}/s/${token}?a=info:no`);
    expect(mail.parsed.html).toContain('Take the full survey');
  });

  it('carries List-Unsubscribe and the RFC 8058 one-click header, and that one-click POST unsubscribes the customer', async () => {
    const { token } = await invitation('oneclick@example.fr', 'fr');
    await mailer.send(email('oneclick@example.fr', token, 'fr'));
    const mail = receivedBy('oneclick@example.fr');
    expect(header(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const target = /^<(.+)>$/.exec(header(mail, 'List-Unsubscribe') ?? '')?.[1];
    expect(target).toBe(`${PUBLIC_URL}/u/${token}`);

    // What a mail client does when the customer presses its unsubscribe button.
    const path = new URL(target!).pathname;
    const res = await request(app).post(path).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Vous ne recevrez plus aucun questionnaire');
    expect(await isSuppressed('oneclick@example.fr')).toBe('unsubscribed');
  });

  it('links the visible unsubscribe link to the confirmation page in the customer\'s language', async () => {
    const { token } = await invitation('visible@example.co.uk', 'en');
    await mailer.send(email('visible@example.co.uk', token, 'en'));
    const mail = receivedBy('visible@example.co.uk');
    const link = /Stop receiving these surveys: (\S+)/.exec(mail.parsed.text ?? '')?.[1];
    expect(link).toBe(`${PUBLIC_URL}/u/${token}`);
    const page = await request(app).get(new URL(link!).pathname);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Stop sending surveys to v•••e@e•••.co.uk?');
    expect(await isSuppressed('visible@example.co.uk')).toBeNull();
  });
});

describe('how refusals are classified', () => {
  it('makes 550 on the recipient a permanent failure (a hard bounce)', async () => {
    smtp.rejectRcpt.set('gone@example.fr', 550);
    const err = await failure(mailer.send(email('gone@example.fr', 'tok', 'fr')));
    expect(err.temporary).toBe(false);
    expect(err.responseCode).toBe(550);
  });

  it('makes a 5xx after the message was sent (DATA) permanent too', async () => {
    smtp.rejectData.set('refused@example.fr', 554);
    const err = await failure(mailer.send(email('refused@example.fr', 'tok', 'fr')));
    expect(err.temporary).toBe(false);
    expect(err.responseCode).toBe(554);
  });

  it('makes 451 on the recipient a temporary failure', async () => {
    smtp.rejectRcpt.set('busy@example.fr', 451);
    const err = await failure(mailer.send(email('busy@example.fr', 'tok', 'fr')));
    expect(err.temporary).toBe(true);
    expect(err.responseCode).toBe(451);
  });

  it('makes 421 (the server closing the session) a temporary failure', async () => {
    smtp.rejectRcpt.set('closing@example.fr', 421);
    const sender = createSmtpMailer(smtp.url, 'surveys@example.com', logger);
    try {
      const err = await failure(sender.send(email('closing@example.fr', 'tok', 'fr')));
      expect(err.temporary).toBe(true);
      expect(err.responseCode).toBe(421);
    } finally {
      await sender.close();
    }
  });

  it('makes 421 on a pooled connection already in use a temporary failure too', async () => {
    // Nodemailer's pool sees this as the connection closing mid-send and drops the reply code.
    const err = await failure(mailer.send(email('closing@example.fr', 'tok', 'fr')));
    expect(err.temporary).toBe(true);
  });

  it('keeps sending through the pool after a refusal', async () => {
    await mailer.send(email('after-refusal@example.fr', 'tok', 'fr'));
    expect(receivedBy('after-refusal@example.fr').parsed.subject).toBe('Une question sur votre récent appel');
  });

  it('makes a refused sender temporary: it is our set-up, not the customer\'s address', async () => {
    const own = await startSmtpCapture();
    own.rejectMailFrom = 550;
    const sender = createSmtpMailer(own.url, 'Retour <surveys@example.com>', logger);
    try {
      const err = await failure(sender.send(email('fine@example.fr', 'tok', 'fr')));
      expect(err.temporary).toBe(true);
      expect(err.responseCode).toBe(550);
    } finally {
      await sender.close();
      await own.stop();
    }
  });

  it('makes a refused connection temporary', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const sender = createSmtpMailer(`smtp://127.0.0.1:${port}`, 'surveys@example.com', logger);
    try {
      const err = await failure(sender.send(email('x@example.fr', 'tok', 'fr')));
      expect(err.temporary).toBe(true);
      expect(err.responseCode).toBeUndefined();
    } finally {
      await sender.close();
    }
  });

  /** A server that accepts connections and never says a word. */
  async function startSilentServer(): Promise<{ url: string; sockets: net.Socket[]; stop(): Promise<void> }> {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    return {
      url: `smtp://127.0.0.1:${port}`,
      sockets,
      async stop() {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      },
    };
  }

  it('gives up quickly on a server that never greets, as a temporary failure', async () => {
    const silent = await startSilentServer();
    const sender = createSmtpMailer(silent.url, 'surveys@example.com', logger, { greetingTimeout: 300 });
    const started = Date.now();
    try {
      const err = await failure(sender.send(email('x@example.fr', 'tok', 'fr')));
      expect(err.temporary).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await sender.close();
      await silent.stop();
    }
  });

  it('fails a send still waiting for the server as temporary when it closes, and closes promptly', async () => {
    const silent = await startSilentServer();
    const sender = createSmtpMailer(silent.url, 'surveys@example.com', logger, { greetingTimeout: 20_000 });
    try {
      const waiting = failure(sender.send(email('x@example.fr', 'tok', 'fr')));
      while (silent.sockets.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const started = Date.now();
      await sender.close();
      const err = await waiting;
      expect(err.temporary).toBe(true);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await silent.stop();
    }
  });

  it('refuses to send once closed, as a temporary failure', async () => {
    const sender = createSmtpMailer(smtp.url, 'surveys@example.com', logger);
    await sender.close();
    const err = await failure(sender.send(email('late@example.fr', 'tok', 'fr')));
    expect(err.temporary).toBe(true);
  });
});
