import { AppError, Conflict, Forbidden, Gone, Invalid, NotFound, Unauthorized } from '../../server/errors';
import { toAppError } from '../../server/http/error-handler';

describe('error kinds', () => {
  it.each([
    [new NotFound(), 404, 'NOT_FOUND'],
    [new Invalid(), 422, 'INVALID'],
    [new Conflict(), 409, 'CONFLICT'],
    [new Forbidden(), 403, 'FORBIDDEN'],
    [new Unauthorized(), 401, 'UNAUTHORIZED'],
    [new Gone(), 410, 'GONE'],
  ])('%s carries its status and stable code', (err, status, code) => {
    expect(err).toBeInstanceOf(AppError);
    expect(err).toBeInstanceOf(Error);
    expect(err.status).toBe(status);
    expect(err.code).toBe(code);
  });

  it('take a specific code, details and cause', () => {
    const cause = new Error('low level');
    const err = new Gone('This survey has expired.', { code: 'INVITATION_EXPIRED', details: { expiredAt: 'x' }, cause });
    expect(err).toMatchObject({ status: 410, code: 'INVITATION_EXPIRED', message: 'This survey has expired.', cause });
    expect(err.name).toBe('Gone');
  });
});

describe('toAppError', () => {
  it('turns an unknown error into a 500 that hides its message', () => {
    const err = toAppError(new TypeError('cannot read x of undefined'));
    expect(err).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(err.message).not.toContain('undefined');
  });

  it('maps a Mongoose cast error to 404', () => {
    expect(toAppError(Object.assign(new Error('Cast to ObjectId failed'), { name: 'CastError' })).status).toBe(404);
  });

  it('maps a duplicate key to 409 naming the fields, not the values', () => {
    const err = toAppError(Object.assign(new Error('E11000'), { code: 11000, keyPattern: { email: 1 }, keyValue: { email: 'a@b.c' } }));
    expect(err).toMatchObject({ status: 409, code: 'DUPLICATE', details: { fields: ['email'] } });
  });

  it('maps a Mongoose validation error to 422 with one detail per field', () => {
    const err = toAppError(
      Object.assign(new Error('invalid'), { name: 'ValidationError', errors: { code: { message: 'Path `code` is required.' } } }),
    );
    expect(err).toMatchObject({ status: 422, details: [{ field: 'code', message: 'Path `code` is required.' }] });
  });

  it('maps body-parser errors to 413 and 400', () => {
    expect(toAppError(Object.assign(new Error('too large'), { type: 'entity.too.large', status: 413 })).status).toBe(413);
    expect(toAppError(Object.assign(new Error('bad json'), { type: 'entity.parse.failed', status: 400 })).status).toBe(400);
  });
});
