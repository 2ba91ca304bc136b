/**
 * The dispatch worker when things break: the SMTP server down for a while (nothing lost,
 * attempts not used up, everything delivered exactly once when it returns), a worker that
 * dies mid-send (its lease expires and another worker sends), the polling loop picking
 * up a due invitation within seconds, and a graceful stop that lets a send finish.
 */
import net, { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { runDispatch, startDispatchWorker } from '../../server/invitations';
import { createSmtpMailer, listOutbox, type Mailer, type OutgoingMail } from '../../server/mail';
import { testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { PUBLIC_URL, at, logger, schedule, seedSurveyWorld, stored, testWorker } from '../helpers/dispatch';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);
beforeAll(seedSurveyWorld);

const MINUTE = 60_000;
let hour = 0;
function clock(): Date {
  hour += 1;
  return new Date(Date.UTC(2031, 0, 1, hour));
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** An SMTP server that accepts everything on `port`, counting messages per recipient. */
async function acceptingServer(port: number, received: string[]): Promise<() => Promise<void>> {
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        received.push(...session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('the SMTP server is down for a while', () => {
  it('keeps every invitation waiting without using up its attempts, then delivers each exactly once', async () => {
    const T = clock();
    const port = await freePort();
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${port}`, 'surveys@example.com', logger, { connectionTimeout: 2000 });
    const worker = testWorker(mailer, testConfig({ PUBLIC_URL }));
    const addresses = Array.from({ length: 12 }, (_, i) => `patient${i}@example.fr`);
    const ids = await Promise.all(addresses.map(async (a) => (await schedule(a, T)).id));
    try {
      // Down for twelve hours, the worker polling all along.
      for (let m = 0; m <= 12 * 60; m += 30) expect(await worker.runOnce(at(T, m * MINUTE))).toBe(0);
      for (const id of ids) expect(await stored(id)).toMatchObject({ state: 'scheduled', attempts: 0, lease: null });

      const received: string[] = [];
      const stop = await acceptingServer(port, received);
      try {
        expect(await worker.runOnce(at(T, 13 * 60 * MINUTE))).toBe(12);
        expect(await worker.runOnce(at(T, 14 * 60 * MINUTE))).toBe(0);
      } finally {
        // Pooled connections first: the server waits for its clients before closing.
        await mailer.close();
        await stop();
      }
      expect(received.sort()).toEqual([...addresses].sort());
      for (const id of ids) expect(await stored(id)).toMatchObject({ state: 'sent', attempts: 1 });
    } finally {
      await mailer.close();
    }
  });
});

describe('a worker dies while sending', () => {
  it('leaves its lease to expire, and another worker then sends the invitation', async () => {
    const T = clock();
    const { id } = await schedule('orphan@example.fr', T);
    // A mailer that never answers: the worker holding it is as good as dead.
    const hung: Mailer = { kind: 'smtp', send: () => new Promise(() => undefined), close: async () => undefined };
    void startDispatchWorker({ mailer: hung, config: testConfig({ PUBLIC_URL }), logger, loop: false, workerId: 'dead' }).runOnce(T);
    await waitFor(async () => (await stored(id)).lease?.owner === 'dead');

    const sent: OutgoingMail[] = [];
    const alive: Mailer = { kind: 'smtp', send: async (mail) => (sent.push(mail), { messageId: 'ok' }), close: async () => undefined };
    const worker = testWorker(alive, testConfig({ PUBLIC_URL }), { workerId: 'alive' });
    expect(await worker.runOnce(at(T, 59_000))).toBe(0);
    expect(await worker.runOnce(at(T, 60_000))).toBe(1);
    expect(sent.map((m) => m.to)).toEqual(['orphan@example.fr']);
    expect(await stored(id)).toMatchObject({ state: 'sent', attempts: 2, lease: null });
  });
});

describe('the polling loop', () => {
  it('sends an invitation that falls due within five seconds, to the outbox when SMTP_URL is unset', async () => {
    const config = testConfig({ PUBLIC_URL });
    const dispatch = runDispatch(config, logger);
    try {
      await schedule('prompt@example.fr', new Date(Date.now() + 500));
      const started = Date.now();
      await waitFor(async () => (await listOutbox({ limit: 200 })).some((m) => m.to === 'prompt@example.fr'), 5000);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      expect(await dispatch.stop(5000)).toBe('stopped');
    }
  });

  it('lets the send in flight finish when stopped, and claims nothing more', async () => {
    const T = new Date(Date.now() - 1000);
    const first = await schedule('in-flight@example.fr', T);
    const second = await schedule('not-yet@example.fr', at(T, 1));
    const sent: string[] = [];
    let release: () => void = () => undefined;
    let sending: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (sending = resolve));
    const slow: Mailer = {
      kind: 'smtp',
      send: (mail) =>
        new Promise((resolve) => {
          release = () => (sent.push(mail.to), resolve({ messageId: 'slow' }));
          sending();
        }),
      close: async () => undefined,
    };
    const worker = startDispatchWorker({ mailer: slow, config: testConfig({ PUBLIC_URL }), logger, concurrency: 1, pollMs: 50 });
    await started;
    const stopping = worker.stop();
    release();
    await stopping;
    expect(sent).toEqual(['in-flight@example.fr']);
    expect((await stored(first.id)).state).toBe('sent');
    expect(await stored(second.id)).toMatchObject({ state: 'scheduled', attempts: 0 });
  });
});

/** Polls `check` until it holds (or fails the test after `ms`). */
async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('waited in vain');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

