import { createTollboothClient, memoryTokenStore, type StoredTokens } from '@tollbooth/sdk';
import type { RequestSpec } from './load';

/** The exact request the SDK sends for a call, captured from the SDK itself. */
export async function sdkWireRequest(
  apiUrl: string,
  call: (client: ReturnType<typeof createTollboothClient>) => Promise<unknown>,
  tokens: StoredTokens | null = null,
): Promise<RequestSpec> {
  let captured: RequestSpec | undefined;
  const client = createTollboothClient({
    url: apiUrl,
    tokenStore: memoryTokenStore(tokens),
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      captured = {
        method: init?.method === 'POST' ? 'POST' : 'GET',
        path: `${url.pathname}${url.search}`,
        headers: Object.fromEntries(new Headers(init?.headers).entries()),
        body: typeof init?.body === 'string' ? init.body : undefined,
      };
      return fetch(input, init);
    },
  });
  await call(client);
  if (!captured) throw new Error('the SDK sent no request');
  return captured;
}
