/**
 * Which database failures answer 503 SERVICE_UNAVAILABLE and which stay a scrubbed 500: the
 * outage and timeout codes do, whether thrown bare (plain routes) or wrapped by tRPC (its
 * `cause`); a database error that means a bug of ours (a constraint we did not expect) does
 * not. The restart and slow-database tests produce 57P01, ECONNREFUSED and 57014 for real;
 * this table covers the codes a test cannot easily provoke.
 */
import { TRPCError } from '@trpc/server';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors/app-error';
import { toPublicError } from '../../src/errors/error-shape';

function databaseError(code: string, message: string): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect' });
}

const unavailable: Array<[string, Error]> = [
  [
    '57P01 admin_shutdown',
    databaseError('57P01', 'terminating connection due to administrator command'),
  ],
  [
    '57P02 crash_shutdown',
    databaseError('57P02', 'terminating connection because of crash of another server process'),
  ],
  ['57P03 cannot_connect_now', databaseError('57P03', 'the database system is starting up')],
  ['57014 query_canceled', databaseError('57014', 'canceling statement due to statement timeout')],
  ['55P03 lock_not_available', databaseError('55P03', 'canceling statement due to lock timeout')],
  ['53300 too_many_connections', databaseError('53300', 'sorry, too many clients already')],
  ['08006 connection_failure', databaseError('08006', 'connection failure')],
  ['08P01 protocol_violation', databaseError('08P01', 'protocol violation')],
  ['ECONNREFUSED', socketError('ECONNREFUSED')],
  ['ECONNRESET', socketError('ECONNRESET')],
  ['pg: connection terminated', new Error('Connection terminated unexpectedly')],
  ['pg-pool: acquisition timeout', new Error('timeout exceeded when trying to connect')],
];

describe('database failures in the error contract', () => {
  it.each(unavailable)(
    '%s answers 503 SERVICE_UNAVAILABLE, bare or wrapped by tRPC',
    (_name, cause) => {
      for (const thrown of [cause, new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause })]) {
        const publicError = toPublicError(thrown);
        expect(publicError).toMatchObject({
          code: 'SERVICE_UNAVAILABLE',
          appCode: 'SERVICE_UNAVAILABLE',
          httpStatus: 503,
          details: { retryAfterSeconds: 1 },
        });
        expect(publicError.message).not.toContain(cause.message);
      }
    },
  );

  it.each([
    [
      '23505 unique_violation',
      databaseError('23505', 'duplicate key value violates unique constraint'),
    ],
    ['42P01 undefined_table', databaseError('42P01', 'relation "nope" does not exist')],
    [
      '22P02 invalid_text_representation',
      databaseError('22P02', 'invalid input syntax for type uuid'),
    ],
  ])('%s stays a scrubbed 500', (_name, cause) => {
    expect(toPublicError(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause }))).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      appCode: 'INTERNAL',
      httpStatus: 500,
      message: 'Internal server error',
    });
  });

  it('keeps the code of an AppError whose cause is a socket error (Stripe unreachable)', () => {
    const error = new AppError('STRIPE_UNAVAILABLE', 'Stripe did not answer', {
      cause: socketError('ECONNREFUSED'),
    });

    expect(toPublicError(error).appCode).toBe('STRIPE_UNAVAILABLE');
  });
});
