import { Writable } from 'node:stream';
import { createLogger, scrubUrl } from '../../server/logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: createLogger({ logLevel: 'info' }, stream), lines, text: () => JSON.stringify(lines) };
}

describe('logger redaction', () => {
  it('censors passwords, tokens, secrets and email fields, one and two levels deep', () => {
    const { logger, text } = capture();
    logger.info(
      {
        password: 'hunter2',
        user: { email: 'lead@example.com', token: 'tok-123' },
        call: { customer: { email: 'claire@example.fr' } },
        apiKey: 'key-456',
      },
      'event',
    );
    expect(text()).not.toMatch(/hunter2|lead@example\.com|tok-123|claire@example\.fr|key-456/);
    expect(text()).toContain('[redacted]');
  });

  it('censors authorization and cookie headers', () => {
    const { logger, text } = capture();
    logger.info({ req: { headers: { authorization: 'Bearer abc', cookie: 'sid=xyz' } } }, 'request');
    expect(text()).not.toMatch(/Bearer abc|sid=xyz/);
  });

  it('removes email addresses from messages and error text', () => {
    const { logger, text } = capture();
    logger.error({ err: new Error('E11000 dup key: { email: "claire@example.fr" }') }, 'sending to claire@example.fr failed');
    expect(text()).not.toContain('claire@example.fr');
    expect(text()).toContain('[email]');
  });

  it('logs a database error by its type, message and codes, never the operations it carries nor its loops', () => {
    const { logger, lines, text } = capture();
    const err = Object.assign(new Error('E11000 duplicate key error'), {
      code: 11000,
      codeName: 'DuplicateKey',
      writeErrors: [{ index: 0, op: { customer: { email: 'claire@example.fr', name: 'Claire Dubois' } } }],
      cause: new Error('refused by the unique index'),
    }) as Error & { self?: unknown };
    err.self = err;
    logger.error({ err }, 'insert failed');
    expect(text()).not.toMatch(/claire@example\.fr|Claire Dubois|unable to serialize/);
    expect(lines[0]?.err).toMatchObject({ type: 'Error', message: 'E11000 duplicate key error', code: 11000, codeName: 'DuplicateKey', cause: { message: 'refused by the unique index' } });
  });
});

describe('scrubUrl', () => {
  it.each([
    ['/s/Abc123token?a=info:yes', '/s/[redacted]?a=info:yes'],
    ['/u/Abc123token', '/u/[redacted]'],
    ['/reports?site=ABV&token=xyz', '/reports?site=ABV&token=[redacted]'],
    ['/admin/users?q=lead@example.com', '/admin/users?q=[email]'],
    ['/healthz', '/healthz'],
  ])('makes %s safe to log', (url, expected) => {
    expect(scrubUrl(url)).toBe(expected);
  });
});
