/**
 * The mail server misbehaving, beyond what dispatch.test.ts and dispatch-outages.test.ts
 * cover (refusals of one recipient or message, a server down for hours): a server slow
 * at every step but within the transport's timeouts (delivered once), one slower than
 * them, at the greeting or mid-session (the invitation waits without using an attempt,
 * then goes once), and one that refuses every message, at the connection or the sender,
 * with 4xx or 5xx (the customer's address is not at fault: nothing failed, nothing
 * suppressed); a send slower than its claim's lease (the lease is kept, nobody sends it
 * twice). Then the app as a real process whose dispatch worker is stuck on a hung SMTP
 * server: customers' survey pages and staff pages keep answering, it stops within its
 * shutdown bound, and the invitation goes out later from another worker, once.
 */
import net, { type AddressInfo } from 'node:net';
import request from 'supertest';
import { SMTPServer } from 'smtp-server';
import { createSmtpMailer, type Mailer, type SmtpOptions } from '../../server/mail';
import { isSuppressed } from '../../server/suppressions';
import { testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { PUBLIC_URL, at, logger, schedule, stored, testWorker } from '../helpers/dispatch';
import { killApp, runApp, type AppProcess } from '../helpers/process';
import { createStaff, csrfFrom } from '../helpers/staff';
import { FULL_FORM, responses, seedSurveyWorld, surveyLink } from '../helpers/survey';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

const database = useTestDatabase();
afterAll(removeTempDirs);
beforeAll(seedSurveyWorld);

/** How the server behaves; tests change it between sends. */
interface Behaviour {
  /** Milliseconds before the greeting. */
  greetingDelayMs: number;
  /** Milliseconds before each reply to MAIL FROM, RCPT TO and the message. */
  replyDelayMs: number;
  /** Every connection refused with this code (421: busy, 554: no service here). */
  refuseConnection: number | null;
  /** Every sender refused with this code. */
  refuseSender: number | null;
}

interface FaultySmtp {
  behaviour: Behaviour;
  /** Recipients of the messages it accepted. */
  received: string[];
  stop(): Promise<void>;
}

const smtpError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

async function startFaultySmtp(): Promise<FaultySmtp & { url: string }> {
  const behaviour: Behaviour = { greetingDelayMs: 0, replyDelayMs: 0, refuseConnection: null, refuseSender: null };
  const received: string[] = [];
  const later = (ms: number, reply: () => void) => (ms > 0 ? void setTimeout(reply, ms) : reply());
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    closeTimeout: 100,
    onConnect(_session, callback) {
      const code = behaviour.refuseConnection;
      later(behaviour.greetingDelayMs, () => callback(code ? smtpError(code, 'Service not available') : undefined));
    },
    onMailFrom(_address, _session, callback) {
      const code = behaviour.refuseSender;
      later(behaviour.replyDelayMs, () => callback(code ? smtpError(code, 'Sender refused') : undefined));
    },
    onRcptTo(_address, _session, callback) {
      later(behaviour.replyDelayMs, () => callback());
    },
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () =>
        later(behaviour.replyDelayMs, () => {
          received.push(...session.envelope.rcptTo.map((r) => r.address));
          callback();
        }),
      );
    },
  });
  // A reply that comes after the client gave up finds its socket closed.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, behaviour, received, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

const MINUTE = 60_000;
let hour = 0;
/** Each test has its own hour, after the previous one's, so leftovers never get in the way. */
function clock(): Date {
  hour += 1;
  return new Date(Date.UTC(2032, 0, 1, hour));
}

/** A faulty server, a pooled SMTP mailer to it with these timeouts, and a worker run by hand. */
async function world(timeouts: SmtpOptions) {
  const smtp = await startFaultySmtp();
  const mailer: Mailer = createSmtpMailer(smtp.url, 'surveys@example.com', logger, timeouts);
  const worker = testWorker(mailer, testConfig({ PUBLIC_URL }));
  return {
    ...smtp,
    mailer,
    worker,
    async stop() {
      await mailer.close();
      await smtp.stop();
    },
  };
}

describe('a slow mail server', () => {
  it('gets the invitation once when every step is slow but within the transport’s timeouts', async () => {
    const T = clock();
    const smtp = await world({ greetingTimeout: 3000, socketTimeout: 3000 });
    try {
      smtp.behaviour.greetingDelayMs = 300;
      smtp.behaviour.replyDelayMs = 300;
      const { id } = await schedule('patient@example.fr', T);
      expect(await smtp.worker.runOnce(T)).toBe(1);
      expect(await smtp.worker.runOnce(at(T, MINUTE))).toBe(0);
      expect(smtp.received).toEqual(['patient@example.fr']);
      expect(await stored(id)).toMatchObject({ state: 'sent', attempts: 1, lease: null, lastError: null });
    } finally {
      await smtp.stop();
    }
  });

  it.each([
    ['greets later than the greeting timeout', { greetingDelayMs: 1500 }],
    ['stops answering mid-session for longer than the socket timeout', { replyDelayMs: 1500 }],
  ])('keeps the invitation waiting, its attempts unused, when the server %s, then delivers it once with the same pool', async (_what, slow) => {
    const T = clock();
    const smtp = await world({ greetingTimeout: 400, socketTimeout: 400 });
    try {
      Object.assign(smtp.behaviour, slow);
      const { id } = await schedule('later@example.fr', T);
      expect(await smtp.worker.runOnce(T)).toBe(0);
      const waiting = await stored(id);
      expect(waiting).toMatchObject({ state: 'scheduled', attempts: 0, lease: null });
      expect(waiting.lastError).toMatch(/time|greeting/i);
      expect(waiting.nextAttemptAt!.getTime()).toBeGreaterThan(T.getTime());
      expect(smtp.received).toEqual([]);

      Object.assign(smtp.behaviour, { greetingDelayMs: 0, replyDelayMs: 0 });
      expect(await smtp.worker.runOnce(at(T, 10 * MINUTE))).toBe(1);
      expect(await smtp.worker.runOnce(at(T, 20 * MINUTE))).toBe(0);
      expect(smtp.received).toEqual(['later@example.fr']);
      expect(await stored(id)).toMatchObject({ state: 'sent', attempts: 1, lastError: null });
    } finally {
      await smtp.stop();
    }
  });
});

describe('a send slower than the claim’s lease', () => {
  it('keeps the lease while the send runs, so that no other worker sends the same email again', async () => {
    const T = clock();
    const smtp = await world({ greetingTimeout: 5000, socketTimeout: 5000 });
    const otherMailer = createSmtpMailer(smtp.url, 'surveys@example.com', logger);
    try {
      // MAIL FROM, RCPT TO and the message each answered after 700 ms: over two seconds in all.
      smtp.behaviour.replyDelayMs = 700;
      const { id } = await schedule('tarpit@example.fr', T);
      const first = testWorker(smtp.mailer, testConfig({ PUBLIC_URL }), { workerId: 'first', leaseMs: 600 });
      const second = testWorker(otherMailer, testConfig({ PUBLIC_URL }), { workerId: 'second', leaseMs: 600 });
      const sending = first.runOnce(T);
      await waitFor(async () => ((await stored(id)).lease?.until ?? T) > at(T, 700));
      expect(await second.runOnce(at(T, 700))).toBe(0);
      expect(await sending).toBe(1);
      expect(smtp.received).toEqual(['tarpit@example.fr']);
      expect(await stored(id)).toMatchObject({ state: 'sent', attempts: 1, lease: null });
    } finally {
      await otherMailer.close();
      await smtp.stop();
    }
  });
});

describe('a mail server refusing every message', () => {
  it.each([
    ['421 at the connection (busy)', { refuseConnection: 421 }, /^421/],
    ['554 at the connection (no service)', { refuseConnection: 554 }, /^554/],
    ['451 to the sender', { refuseSender: 451 }, /^451/],
    ['550 to the sender', { refuseSender: 550 }, /^550/],
  ])('with %s neither fails nor suppresses the customer, and delivers once it accepts', async (_what, refusal, reason) => {
    const T = clock();
    const smtp = await world({ greetingTimeout: 2000, socketTimeout: 2000 });
    try {
      Object.assign(smtp.behaviour, refusal);
      const address = `refused-${hour}@example.fr`;
      const { id } = await schedule(address, T);
      expect(await smtp.worker.runOnce(T)).toBe(0);
      expect(await smtp.worker.runOnce(at(T, 10 * MINUTE))).toBe(0);
      const waiting = await stored(id);
      expect(waiting).toMatchObject({ state: 'scheduled', attempts: 0, lease: null });
      expect(waiting.lastError).toMatch(reason);
      expect(await isSuppressed(address)).toBeNull();

      Object.assign(smtp.behaviour, { refuseConnection: null, refuseSender: null });
      expect(await smtp.worker.runOnce(at(T, 20 * MINUTE))).toBe(1);
      expect(smtp.received).toEqual([address]);
      expect(await stored(id)).toMatchObject({ state: 'sent', attempts: 1 });
    } finally {
      await smtp.stop();
    }
  });
});

/** Polls `check` until it holds (or fails the test after `ms`). */
async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('waited in vain');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A mail server that greets, answers EHLO, and then never answers again; counts the senders it left hanging. */
async function startHungSmtp() {
  const sockets = new Set<net.Socket>();
  let hanging = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket)).on('error', () => undefined);
    socket.write('220 hung.example ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('latin1').split('\r\n').filter(Boolean)) {
        if (/^(EHLO|HELO)/i.test(line)) socket.write('250 hung.example\r\n');
        else if (/^MAIL FROM/i.test(line)) hanging += 1;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hanging: () => hanging,
    openConnections: () => sockets.size,
    /** Cuts every connection: the sends waiting on them fail at once. */
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the app while its SMTP server hangs', () => {
  let app: AppProcess | undefined;
  afterAll(() => killApp(app));

  it('keeps answering customers’ survey pages and staff pages while the dispatch worker waits on the mail server, and stops cleanly', async () => {
    const hung = await startHungSmtp();
    try {
      const due = await schedule('stuck@example.fr', new Date(Date.now() - 1000));
      const link = await surveyLink({ locale: 'en' });
      const { email, password } = await createStaff({ role: 'admin' });
      app = runApp({ MONGODB_URI: `mongodb://127.0.0.1:${new URL(database().uri).port}/retour`, SMTP_URL: hung.url, DATA_DIR: makeTempDir(), LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT: '2' });
      const { url } = await app.ready;

      // The worker claimed the due invitation and is stuck in its send.
      const until = Date.now() + 15_000;
      while (hung.hanging() === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(hung.hanging()).toBe(1);
      expect((await stored(due.id)).lease).toMatchObject({ owner: expect.any(String) });

      const page = await request(url).get(`/s/${link.token}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Did you get the information you needed?');
      expect((await request(url).post(`/s/${link.token}`).type('form').send(FULL_FORM)).status).toBe(303);
      expect(await responses().countDocuments({ invitationId: link.id, complete: true })).toBe(1);

      const staff = request.agent(url);
      const login = await staff.get('/login');
      expect(login.status).toBe(200);
      expect((await staff.post('/login').type('form').send({ _csrf: csrfFrom(login.text), email, password })).status).toBe(303);
      expect((await staff.get('/reports')).status).toBe(200);
      expect((await request(url).get('/healthz')).status).toBe(200);

      // All of that happened while the send was still hanging.
      expect(hung.hanging()).toBe(1);
      expect(hung.openConnections()).toBeGreaterThan(0);

      // Stopping does not wait on the hung send beyond its bound: the lease is left to expire.
      app.child.kill('SIGTERM');
      expect(await app.exited).toEqual({ code: 0, signal: null });
      expect(app.stdout()).toContain('the dispatch worker did not finish its sends in time');
      const left = await stored(due.id);
      expect(left).toMatchObject({ state: 'scheduled', lease: { owner: expect.any(String) } });

      // Once it expired, another worker sends the invitation, once.
      const smtp = await world({});
      try {
        expect(await smtp.worker.runOnce(at(left.lease!.until, 1000))).toBe(1);
        expect(smtp.received).toEqual(['stuck@example.fr']);
        expect(await stored(due.id)).toMatchObject({ state: 'sent', lease: null });
      } finally {
        await smtp.stop();
      }
    } finally {
      await hung.stop();
    }
  }, 40_000);
});
