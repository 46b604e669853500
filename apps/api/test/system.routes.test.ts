import { describe, expect, it } from 'vitest';
import { SERVICE_VERSION } from '../src/version';
import { createTestApp, readErrorEnvelope } from './harness';

describe('GET /', () => {
  it('names the service and links to its endpoints', async () => {
    const { app } = await createTestApp({ env: { PUBLIC_URL: 'https://api.example.com' } });

    const body = await (await app.request('/')).json();

    expect(body).toEqual({
      name: 'tollbooth',
      version: SERVICE_VERSION,
      links: {
        health: 'https://api.example.com/healthz',
        version: 'https://api.example.com/version',
        metrics: 'https://api.example.com/metrics',
        trpc: 'https://api.example.com/trpc',
      },
    });
  });
});

describe('GET /version', () => {
  it('reports the version, the deployed commit and the runtime', async () => {
    const { app } = await createTestApp({ env: { GIT_COMMIT: 'abc1234' } });

    const body = await (await app.request('/version')).json();

    expect(body).toEqual({
      name: 'tollbooth',
      version: SERVICE_VERSION,
      commit: 'abc1234',
      node: process.version,
    });
  });
});

describe('GET /metrics', () => {
  it('exposes request counts by route and status, latency, pool and process metrics', async () => {
    const { app } = await createTestApp();
    await app.request('/healthz');
    await app.request('/trpc/system.info');
    await app.request('/nowhere');

    const response = await app.request('/metrics');
    const text = await response.text();

    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
    expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/trpc\/\*",status="200"\}/,
    );
    expect(text).toMatch(
      /trpc_procedure_duration_seconds_count\{procedure="system.info",type="query",ok="true"\} 1/,
    );
    expect(text).toMatch(/db_pool_connections\{state="total"\} \d+/);
    expect(text).toMatch(/process_cpu_seconds_total/);
  });

  it('requires the metrics token when one is configured', async () => {
    const token = 'metrics-token-0123456789';
    const { app } = await createTestApp({ env: { METRICS_TOKEN: token } });

    const anonymous = await app.request('/metrics');
    const wrong = await app.request('/metrics', {
      headers: { authorization: 'Bearer metrics-token-0123456788' },
    });
    const right = await app.request('/metrics', { headers: { authorization: `Bearer ${token}` } });

    expect(anonymous.status).toBe(401);
    expect((await readErrorEnvelope(anonymous)).error.appCode).toBe('UNAUTHENTICATED');
    expect(wrong.status).toBe(401);
    expect(right.status).toBe(200);
  });
});
