/**
 * Listening and graceful shutdown. Closing stops accepting connections at once, lets
 * in-flight requests finish within a bound, then cuts whatever is left: a deploy never waits
 * forever on one slow client, and no request that started is dropped early.
 */
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';

export interface RunningServer {
  url: string;
  port: number;
  /** Resolves once every connection is closed (or was cut after `timeoutMs`). */
  close(timeoutMs: number): Promise<void>;
}

type FetchHandler = Parameters<typeof serve>[0]['fetch'];

export function listen(
  app: { fetch: FetchHandler },
  options: { port: number; host: string },
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    let server: ServerType;
    const onError = (error: Error) => reject(error);
    server = serve(
      { fetch: app.fetch, port: options.port, hostname: options.host },
      (info: AddressInfo) => {
        server.off('error', onError);
        const host =
          info.address === '0.0.0.0' || info.address === '::' ? 'localhost' : info.address;
        resolve({
          url: `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`,
          port: info.port,
          close: (timeoutMs) => closeGracefully(server, timeoutMs),
        });
      },
    );
    server.on('error', onError);
  });
}

/** How often idle keep-alive sockets are swept while draining. */
const IDLE_SWEEP_MS = 100;

function closeGracefully(server: ServerType, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    // A keep-alive socket turns idle once its in-flight request ends and would then hold
    // close() open until the client's keep-alive timeout: sweep idle sockets while draining.
    const sweep = setInterval(() => {
      if ('closeIdleConnections' in server) server.closeIdleConnections();
    }, IDLE_SWEEP_MS);
    const deadline = setTimeout(() => {
      if ('closeAllConnections' in server) server.closeAllConnections();
    }, timeoutMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve();
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  });
}
