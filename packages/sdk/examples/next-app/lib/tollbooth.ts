// lib/tollbooth.ts — server-only: the key must never reach a browser bundle.
import { createTollboothClient, createTollboothServerClient } from '@tollbooth/sdk';

function serverEnv(name: 'TOLLBOOTH_URL' | 'TOLLBOOTH_API_KEY'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const url = serverEnv('TOLLBOOTH_URL');

/** Acts for the product: a server API key (`tb_sk_…`) with `usage:write`, never `NEXT_PUBLIC_…`. */
export const tollbooth = createTollboothServerClient({
  url,
  apiKey: serverEnv('TOLLBOOTH_API_KEY'),
});

/**
 * The signed-in user's Tollbooth id, from the access token their browser sent (Tollbooth
 * checks it); null when there is none or it is not valid. With Auth.js instead, read the id
 * from `await auth()`.
 */
export async function signedInUserId(request: Request): Promise<string | null> {
  const authorization = request.headers.get('authorization');
  if (!authorization) return null;
  const asUser = createTollboothClient({ url, headers: { authorization } });
  try {
    return (await asUser.auth.me.query()).id;
  } catch {
    return null;
  }
}
