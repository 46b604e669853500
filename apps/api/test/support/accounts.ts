import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { TestApp } from '../harness';

/** A fresh address per call, so tests in one file never collide. */
export function newEmail(label = 'user'): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.test`;
}

export const PASSWORD = 'correct horse battery staple';

/** The signed-in branch of a register result (REGISTRATION_MODE=open); fails the test otherwise. */
export function signedIn<Result extends { verificationRequired: boolean }>(
  result: Result,
): Extract<Result, { verificationRequired: false }> {
  if (isSignedIn(result)) return result;
  throw new Error('register asked for verification instead of signing in');
}

function isSignedIn<Result extends { verificationRequired: boolean }>(
  result: Result,
): result is Extract<Result, { verificationRequired: false }> {
  return !result.verificationRequired;
}

/** Registers through the API and returns the credentials and the issued tokens. */
export async function registerAccount(
  t: TestApp,
  options: { email?: string; password?: string; name?: string } = {},
) {
  const email = options.email ?? newEmail();
  const password = options.password ?? PASSWORD;
  const result = signedIn(
    await t.client().auth.register.mutate({ email, password, name: options.name }),
  );
  if (!result.refreshToken) throw new Error('register returned no refresh token');
  return { email, password, ...result, refreshToken: result.refreshToken };
}

const ZErrorData = z.looseObject({
  code: z.string().optional(),
  appCode: z.string().optional(),
  httpStatus: z.number().optional(),
  fieldErrors: z.record(z.string(), z.array(z.string())).optional(),
});

/** The error a call failed with, for asserting on its code and appCode. */
export async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    const raw = typeof error === 'object' && error !== null && 'data' in error ? error.data : {};
    const data = ZErrorData.parse(raw ?? {});
    return {
      code: data.code,
      appCode: data.appCode,
      httpStatus: data.httpStatus,
      message: error instanceof Error ? error.message : String(error),
      data,
    };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
