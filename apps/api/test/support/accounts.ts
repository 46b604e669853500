import { randomUUID } from 'node:crypto';
import type { TestApp } from '../harness';

/** A fresh address per call, so tests in one file never collide. */
export function newEmail(label = 'user'): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.test`;
}

export const PASSWORD = 'correct horse battery staple';

/** Registers through the API and returns the credentials and the issued tokens. */
export async function registerAccount(
  t: TestApp,
  options: { email?: string; password?: string; name?: string } = {},
) {
  const email = options.email ?? newEmail();
  const password = options.password ?? PASSWORD;
  const result = await t.client().auth.register.mutate({ email, password, name: options.name });
  if (!result.refreshToken) throw new Error('register returned no refresh token');
  return { email, password, ...result, refreshToken: result.refreshToken };
}

/** Rejects with the thrown error so tests can assert on its code and appCode. */
export async function failure(promise: Promise<unknown>): Promise<{
  code: string | undefined;
  appCode: string | undefined;
  httpStatus: number | undefined;
  message: string;
  data: Record<string, unknown>;
}> {
  try {
    await promise;
  } catch (error) {
    const data =
      typeof error === 'object' && error !== null && 'data' in error && error.data
        ? (error.data as Record<string, unknown>)
        : {};
    return {
      code: typeof data.code === 'string' ? data.code : undefined,
      appCode: typeof data.appCode === 'string' ? data.appCode : undefined,
      httpStatus: typeof data.httpStatus === 'number' ? data.httpStatus : undefined,
      message: error instanceof Error ? error.message : String(error),
      data,
    };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
