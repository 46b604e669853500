import { describe, expect, it } from 'vitest';
import { listen } from '../src/http-server';
import { createTestApp } from './harness';

/** An app with one route that holds its response until the test lets it go. */
async function appWithSlowRoute() {
  const { app } = await createTestApp();
  let release: () => void = () => {};
  let entered: () => void = () => {};
  const handlerEntered = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  app.get('/slow', async (c) => {
    entered();
    await released;
    return c.text('done');
  });
  const server = await listen(app, { port: 0, host: '127.0.0.1' });
  return { server, release, handlerEntered };
}

describe('graceful shutdown', () => {
  it('stops accepting connections but lets an in-flight request finish', async () => {
    const { server, release, handlerEntered } = await appWithSlowRoute();
    const inFlight = fetch(`${server.url}/slow`);
    await handlerEntered;

    const closed = server.close(30_000);
    const refused = await fetch(`${server.url}/healthz`).then(
      () => 'answered',
      () => 'refused',
    );
    release();
    const response = await inFlight;

    expect(refused).toBe('refused');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('done');
    await closed;
  });

  it('cuts a request that outlives the shutdown bound instead of waiting forever', async () => {
    const { server, handlerEntered } = await appWithSlowRoute();
    const inFlight = fetch(`${server.url}/slow`).then(
      () => 'answered',
      () => 'cut',
    );
    await handlerEntered;

    await server.close(100);

    expect(await inFlight).toBe('cut');
  });
});
