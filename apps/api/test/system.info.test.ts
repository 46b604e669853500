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
    const { client } = await createTestApp();
    const batched = client({ batch: true });

    const [first, second] = await Promise.all([
      batched.system.info.query(),
      batched.system.info.query(),
    ]);

    expect(first.name).toBe('tollbooth');
    expect(second.database.reachable).toBe(true);
  });
});
