/**
 * A real SMTP server on loopback (smtp-server) for mail tests: it keeps every message it
 * accepts, parsed with mailparser, and answers the error replies a test asks for (per
 * recipient at RCPT TO or after DATA, or for every sender at MAIL FROM).
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  envelope: { from: string; to: string[] };
  raw: string;
  parsed: ParsedMail;
}

export interface SmtpCapture {
  port: number;
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  received: CapturedMail[];
  /** Recipient address → reply code sent to its RCPT TO (e.g. 550, 451, 421). */
  rejectRcpt: Map<string, number>;
  /** Recipient address → reply code sent after its message's DATA. */
  rejectData: Map<string, number>;
  /** Reply code for every MAIL FROM, or null to accept. */
  rejectMailFrom: number | null;
  /** Refusals of a recipient quote its address, as Postfix does ("<a@b.fr>: Recipient address rejected"). */
  quoteRecipient: boolean;
  stop(): Promise<void>;
}

function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

export async function startSmtpCapture(): Promise<SmtpCapture> {
  // Filled in below once listening; the server's hooks read the rules from it on each command.
  const capture: SmtpCapture = {
    port: 0,
    url: '',
    received: [],
    rejectRcpt: new Map(),
    rejectData: new Map(),
    rejectMailFrom: null,
    quoteRecipient: false,
    stop: async () => {},
  };
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onMailFrom(_address, _session, callback) {
      const code = capture.rejectMailFrom;
      callback(code ? smtpError(code, 'Sender refused') : null);
    },
    onRcptTo(address, _session, callback) {
      const code = capture.rejectRcpt.get(address.address);
      const text = code && code >= 500 ? 'Mailbox unavailable' : 'Try again later';
      callback(code ? smtpError(code, capture.quoteRecipient ? `<${address.address}>: ${text}` : text) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const code = to.map((address) => capture.rejectData.get(address)).find((c) => c !== undefined);
        if (code) return callback(smtpError(code, 'Message refused'));
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        simpleParser(raw).then(
          (parsed) => {
            capture.received.push({ envelope: { from, to }, raw, parsed });
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  capture.port = (server.server.address() as AddressInfo).port;
  capture.url = `smtp://127.0.0.1:${capture.port}`;
  capture.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return capture;
}
