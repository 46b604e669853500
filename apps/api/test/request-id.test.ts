import { describe, expect, it } from 'vitest';
import { createTestApp, readErrorEnvelope } from './harness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('x-request-id', () => {
  it.each([
    ['a plain route', '/healthz'],
    ['a tRPC call', '/trpc/system.info'],
    ['an unknown route', '/missing'],
  ])('is echoed on %s', async (_, path) => {
    const { app } = await createTestApp();

    const response = await app.request(path, { headers: { 'x-request-id': 'client-chosen-42' } });

    expect(response.headers.get('x-request-id')).toBe('client-chosen-42');
  });

  it('is generated when the caller sends none', async () => {
    const { app } = await createTestApp();

    const response = await app.request('/trpc/system.info');

    expect(response.headers.get('x-request-id')).toMatch(UUID);
  });

  it.each([
    ['too long', 'x'.repeat(200)],
    ['with spaces', 'two words'],
    ['with a newline escape attempt', 'abc%0d%0aSet-Cookie:x'],
  ])('is replaced when the caller sends one %s', async (_, unsafe) => {
    const { app } = await createTestApp();

    const response = await app.request('/healthz', { headers: { 'x-request-id': unsafe } });

    expect(response.headers.get('x-request-id')).toMatch(UUID);
  });

  it('is the same id that the error body and the log line carry', async () => {
    const { app, logs } = await createTestApp();

    const response = await app.request('/missing', { headers: { 'x-request-id': 'trace-me' } });

    expect((await readErrorEnvelope(response)).error.requestId).toBe('trace-me');
    expect(
      logs.entries().some((entry) => entry.requestId === 'trace-me' && entry.status === 404),
    ).toBe(true);
  });
});
