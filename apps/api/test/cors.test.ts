import { describe, expect, it } from 'vitest';
import { createTestApp } from './harness';

const env = { ALLOWED_ORIGINS: 'https://app.example.com' };

describe('CORS', () => {
  it('allows a listed origin, with credentials, and exposes the request id', async () => {
    const { app } = await createTestApp({ env });

    const response = await app.request('/trpc/system.info', {
      headers: { origin: 'https://app.example.com' },
    });

    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });

  it('answers a preflight from a listed origin', async () => {
    const { app } = await createTestApp({ env });

    const response = await app.request('/trpc/system.info', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });

    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it.each(['https://evil.example.com', 'https://app.example.com.evil.com', 'null'])(
    'does not allow the unlisted origin %s',
    async (origin) => {
      const { app } = await createTestApp({ env });

      const response = await app.request('/trpc/system.info', { headers: { origin } });

      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    },
  );
});

describe('secure headers', () => {
  it('are set on every response', async () => {
    const { app } = await createTestApp();

    const response = await app.request('/healthz');

    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('vary')).toContain('Origin');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('vary on Origin on /trpc as well, beside the headers tRPC varies on', async () => {
    const { app } = await createTestApp({ env });

    const response = await app.request('/trpc/system.info', {
      headers: { origin: 'https://app.example.com' },
    });

    const vary = (response.headers.get('vary') ?? '').split(',').map((name) => name.trim());
    expect(vary).toEqual(expect.arrayContaining(['Origin', 'trpc-accept', 'accept']));
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
