import { describe, expect, it } from 'vitest';
import { createTestApp } from './harness';

describe('request logging', () => {
  it('writes one line per request with method, route, status, duration and request id', async () => {
    const { app, logs } = await createTestApp();

    await app.request('/healthz', { headers: { 'x-request-id': 'log-1' } });

    const lines = logs.entries().filter((entry) => entry.requestId === 'log-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      method: 'GET',
      route: '/healthz',
      path: '/healthz',
      status: 200,
    });
    expect(typeof lines[0]?.ms).toBe('number');
  });

  it('never writes the authorization header, cookies, query strings or bodies', async () => {
    const { app, logs } = await createTestApp();
    const secrets = [
      'Bearer sekret-access-token-1',
      'session=sekret-cookie-2',
      'sekret-query-3',
      'sekret-body-4',
    ];

    await app.request('/trpc/system.info?input=sekret-query-3', {
      headers: { authorization: secrets[0] ?? '', cookie: secrets[1] ?? '' },
    });
    await app.request('/missing?token=sekret-query-3', {
      method: 'POST',
      headers: { authorization: secrets[0] ?? '' },
      body: JSON.stringify({ password: 'sekret-body-4' }),
    });

    const all = logs.lines.join('\n');
    expect(logs.lines.length).toBeGreaterThanOrEqual(2);
    for (const secret of [
      'sekret-access-token-1',
      'sekret-cookie-2',
      'sekret-query-3',
      'sekret-body-4',
    ]) {
      expect(all).not.toContain(secret);
    }
  });

  it('labels unmatched paths as one route so scanners cannot mint metric series', async () => {
    const { app, logs } = await createTestApp();

    await app.request('/wp-admin/setup.php');

    expect(logs.entries().at(-1)).toMatchObject({ route: 'unmatched', status: 404 });
  });
});
