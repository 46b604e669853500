import { describe, expect, it } from 'vitest';
import { createTestApp } from './harness';

describe('plain HTTP errors', () => {
  it('answers an unknown route with a JSON 404 envelope', async () => {
    const { app } = await createTestApp();

    const response = await app.request('/no/such/route', {
      headers: { 'x-request-id': 'req-404' },
    });

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      error: {
        code: 'NOT_FOUND',
        appCode: 'NOT_FOUND',
        message: 'No route for GET /no/such/route',
        requestId: 'req-404',
      },
    });
  });

  it('refuses a body over the limit with a JSON 413', async () => {
    const { app } = await createTestApp({ env: { BODY_LIMIT_BYTES: '1024' } });

    const response = await app.request('/trpc/system.info', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(2048) }),
    });

    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', appCode: 'PAYLOAD_TOO_LARGE' },
    });
  });

  it('refuses an oversized body sent without a content-length (chunked)', async () => {
    const { app } = await createTestApp({ env: { BODY_LIMIT_BYTES: '1024' } });
    const chunk = new TextEncoder().encode('x'.repeat(600));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.close();
      },
    });

    const response = await app.request('/trpc/system.info', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    });

    expect(response.status).toBe(413);
  });
});
