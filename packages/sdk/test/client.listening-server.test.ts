import { createApp, createDeps, listen, parseConfig } from '@tollbooth/api';
import { createTestDatabase } from '@tollbooth/db/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { createTollboothClient } from '../src/index';

describe('createTollboothClient against a real listening server', () => {
  it('round-trips system.info over HTTP with the global fetch', async () => {
    const config = parseConfig({
      NODE_ENV: 'test',
      DATABASE_URL: await createTestDatabase(),
      LOG_LEVEL: 'silent',
    });
    const { deps, close } = createDeps(config);
    const server = await listen(createApp(deps), { port: 0, host: '127.0.0.1' });
    afterAll(async () => {
      await server.close(1_000);
      await close();
    });
    const client = createTollboothClient({ url: server.url });

    const [first, second] = await Promise.all([
      client.system.info.query(),
      client.system.info.query(),
    ]);

    expect(first).toMatchObject({ name: 'tollbooth', database: { reachable: true } });
    expect(second.version).toBe(first.version);
  });
});
