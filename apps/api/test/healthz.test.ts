import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from './harness';

/** A TCP server that accepts connections and never answers: a black-holed database. */
async function silentServer(): Promise<{ url: string; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return {
    url: `postgres://nobody:nothing@127.0.0.1:${address.port}/nowhere`,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

async function deadPortUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  await new Promise((resolve) => server.close(resolve));
  return `postgres://nobody:nothing@127.0.0.1:${address.port}/nowhere`;
}

describe('GET /healthz', () => {
  it('answers 200 with the database up', async () => {
    const { app } = await createTestApp();

    const response = await app.request('/healthz');

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({ status: 'ok', database: { status: 'up' } });
  });

  it('answers 503 when nothing listens on the database port', async () => {
    const { app } = await createTestApp({ databaseUrl: await deadPortUrl() });

    const response = await app.request('/healthz');

    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: 'unavailable',
      database: { status: 'down' },
    });
  });

  describe('when the database accepts connections but never answers', () => {
    const silent = silentServer();
    afterAll(async () => (await silent).close());

    it('answers 503 instead of hanging', async () => {
      const { app } = await createTestApp({ databaseUrl: (await silent).url });

      // The test timeout (30 s) is far above the check's bound: a hang fails here, slowness does not.
      const response = await app.request('/healthz');

      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ database: { status: 'down' } });
    });
  });
});
