import {
  createTollboothClient,
  createTollboothServerClient,
  type FetchLike,
  memoryTokenStore,
  type StoredTokens,
  type TollboothClient,
} from '@tollbooth/sdk';
import type { RequestSpec } from './load';

/** A fetch that sends the call and keeps what it sent, as a RequestSpec. */
function capturingFetch(): { fetch: FetchLike; captured: () => RequestSpec } {
  let captured: RequestSpec | undefined;
  return {
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
    captured() {
      if (!captured) throw new Error('the SDK sent no request');
      return captured;
    },
  };
}

/** The exact request the SDK sends for a call, captured from the SDK itself. */
export async function sdkWireRequest(
  apiUrl: string,
  call: (client: ReturnType<typeof createTollboothClient>) => Promise<unknown>,
  tokens: StoredTokens | null = null,
): Promise<RequestSpec> {
  const capture = capturingFetch();
  const client = createTollboothClient({
    url: apiUrl,
    tokenStore: memoryTokenStore(tokens),
    fetch: capture.fetch,
  });
  await call(client);
  return capture.captured();
}

/** The same, for the server client a product's backend uses (`Bearer tb_sk_…`). */
export async function serverWireRequest(
  apiUrl: string,
  apiKey: string,
  call: (client: TollboothClient) => Promise<unknown>,
): Promise<RequestSpec> {
  const capture = capturingFetch();
  await call(createTollboothServerClient({ url: apiUrl, apiKey, fetch: capture.fetch }));
  return capture.captured();
}
