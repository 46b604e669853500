import { createTestApp } from '@tollbooth/api/testing';
import { createTRPCClient, httpLink } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { createTollboothClient, isTollboothError } from '../src/index';

describe('createTollboothClient against the app in-process', () => {
  it('calls system.info and gets typed data back', async () => {
    const { fetch } = await createTestApp();
    const client = createTollboothClient({ url: 'http://tollbooth.test', fetch });

    const info = await client.system.info.query();

    expect(info.name).toBe('tollbooth');
    expect(info.database.reachable).toBe(true);
    expect(Number.isNaN(Date.parse(info.time))).toBe(false);
  });

  it('splits many concurrent calls into batches the server accepts', async () => {
    const { fetch } = await createTestApp();
    const client = createTollboothClient({ url: 'http://tollbooth.test', fetch });

    const infos = await Promise.all(Array.from({ length: 250 }, () => client.system.info.query()));

    expect(infos.every((info) => info.name === 'tollbooth')).toBe(true);
  });

  it('sends the configured headers with every request', async () => {
    const { fetch, logs } = await createTestApp();
    const client = createTollboothClient({
      url: 'http://tollbooth.test/',
      fetch,
      headers: () => ({ 'x-request-id': 'from-the-sdk' }),
    });

    await client.system.info.query();

    expect(logs.entries().some((entry) => entry.requestId === 'from-the-sdk')).toBe(true);
  });
});

describe('isTollboothError', () => {
  it('recognises a server error and matches its appCode', async () => {
    const { fetch } = await createTestApp();
    // A client for a router shape the server does not have: its call fails on the server.
    const t = initTRPC.create();
    const elsewhere = t.router({ system: t.router({ nope: t.procedure.query(() => 0) }) });
    const stranger = createTRPCClient<typeof elsewhere>({
      links: [httpLink({ url: 'http://tollbooth.test/trpc', fetch })],
    });

    const error = await stranger.system.nope.query().catch((e: unknown) => e);

    expect(isTollboothError(error)).toBe(true);
    expect(isTollboothError(error, 'NOT_FOUND')).toBe(true);
    expect(isTollboothError(error, 'FORBIDDEN')).toBe(false);
  });

  it('rejects anything that is not a client error', () => {
    expect(isTollboothError(new Error('plain'))).toBe(false);
    expect(isTollboothError({ data: { appCode: 'NOT_FOUND' } }, 'NOT_FOUND')).toBe(false);
    expect(isTollboothError(undefined)).toBe(false);
  });
});
