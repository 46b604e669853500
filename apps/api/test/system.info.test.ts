import { describe, expect, it } from 'vitest';
import { createManualClock } from '../src/lib/clock';
import { SERVICE_VERSION } from '../src/version';
import { createTestApp } from './harness';

describe('system.info', () => {
  it('returns name, version, server time and database reachability through the tRPC client', async () => {
    const clock = createManualClock(new Date('2026-11-23T10:00:00.000Z'));
    const { client } = await createTestApp({ clock });

    const info = await client().system.info.query();

    expect(info).toEqual({
      name: 'tollbooth',
      version: SERVICE_VERSION,
      time: '2026-11-23T10:00:00.000Z',
      database: { reachable: true, latencyMs: expect.any(Number) },
    });
  });

  it('answers several calls in one batch request', async () => {
    const t = await createTestApp();
    const requests: URL[] = [];
    const batched = t.client({
      batch: true,
      fetch: (input, init) => {
        requests.push(new URL(input instanceof Request ? input.url : input));
        return t.fetch(input, init);
      },
    });

    const [first, second] = await Promise.all([
      batched.system.info.query(),
      batched.system.info.query(),
    ]);

    expect(requests).toHaveLength(1);
    expect(requests[0]?.pathname).toBe('/trpc/system.info,system.info');
    expect(requests[0]?.searchParams.get('batch')).toBe('1');
    expect(first.name).toBe('tollbooth');
    expect(second.database.reachable).toBe(true);
  });
});
