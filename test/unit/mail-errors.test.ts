/**
 * How send failures are classified for the dispatch worker: only a 5xx that judges the
 * recipient or its message is permanent (a hard bounce that suppresses the address);
 * everything that retrying may fix, or that is our own set-up, is temporary.
 */
import { MailError, toMailError } from '../../server/mail';

function nodemailerError(props: Record<string, unknown>): Error {
  return Object.assign(new Error('failed'), props);
}

describe('toMailError', () => {
  it.each([
    ['550 to RCPT TO', { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' }],
    ['552 after DATA', { code: 'EMESSAGE', responseCode: 552, command: 'DATA' }],
    ['a recipient nodemailer itself refuses', { code: 'EENVELOPE' }],
  ])('makes %s permanent', (_what, props) => {
    expect(toMailError(nodemailerError(props)).temporary).toBe(false);
  });

  it.each([
    ['451 to RCPT TO', { code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO' }],
    ['421 on connecting', { code: 'ECONNECTION', responseCode: 421, command: 'CONN' }],
    ['503 (bad sequence of commands)', { code: 'EENVELOPE', responseCode: 503, command: 'RCPT TO' }],
    ['535 to AUTH (wrong SMTP password)', { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' }],
    ['550 to MAIL FROM (sender not allowed)', { code: 'EENVELOPE', responseCode: 550, command: 'MAIL FROM' }],
    ['a refused connection', { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }],
    ['a timeout', { code: 'ETIMEDOUT' }],
    ['a database error in the outbox', { name: 'MongoServerError', code: 91 }],
  ])('makes %s temporary', (_what, props) => {
    expect(toMailError(nodemailerError(props)).temporary).toBe(true);
  });

  it('keeps the reply code, the command and the original error', () => {
    const original = nodemailerError({ responseCode: 550, command: 'RCPT TO' });
    const err = toMailError(original);
    expect(err).toBeInstanceOf(MailError);
    expect(err).toMatchObject({ responseCode: 550, command: 'RCPT TO', message: 'failed', cause: original });
  });

  it('passes a MailError through unchanged', () => {
    const err = new MailError('already classified', { temporary: false, responseCode: 550 });
    expect(toMailError(err)).toBe(err);
  });
});
