// The HTTP front door: `/v1/*` is the Stripe API, `/_emulator/*` the test helpers, and the
// hosted pages live where Stripe's URLs point (`/c/pay/:session`, `/p/session/:id`, `/i/:id`).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BodyTooLargeError, sendJson } from './http/respond.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
type PageHandler = (req: IncomingMessage, res: ServerResponse, id: string) => Promise<void>;

export interface ServerHandlers {
  api: Handler;
  control: Handler;
  checkoutPage: PageHandler;
  portalPage: PageHandler;
  invoicePage: PageHandler;
  index: () => object;
  log(line: string): void;
}

const PAGES: [RegExp, keyof Pick<ServerHandlers, 'checkoutPage' | 'portalPage' | 'invoicePage'>][] =
  [
    [/^\/c\/pay\/([^/]+)$/, 'checkoutPage'],
    [/^\/p\/session\/([^/]+)$/, 'portalPage'],
    [/^\/i\/([^/]+)$/, 'invoicePage'],
  ];

export function createHttpServer(handlers: ServerHandlers): Server {
  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    if (url.pathname.startsWith('/v1/')) return handlers.api(req, res, url);
    if (url.pathname.startsWith('/_emulator/')) return handlers.control(req, res, url);
    for (const [pattern, name] of PAGES) {
      const match = pattern.exec(url.pathname);
      if (match?.[1]) return handlers[name](req, res, decodeURIComponent(match[1]));
    }
    if (url.pathname === '/') return sendJson(res, 200, JSON.stringify(handlers.index()));
    sendJson(
      res,
      404,
      JSON.stringify({ error: { type: 'invalid_request_error', message: 'Not found.' } }),
    );
  }

  return createServer((req, res) => {
    dispatch(req, res).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        sendJson(
          res,
          413,
          JSON.stringify({
            error: { type: 'invalid_request_error', message: 'Request body too large.' },
          }),
        );
        return;
      }
      handlers.log(`[stripe-emulator] ${req.method} ${req.url} failed: ${String(error)}`);
      if (!res.headersSent) {
        sendJson(
          res,
          500,
          JSON.stringify({ error: { type: 'api_error', message: 'An unknown error occurred.' } }),
        );
      } else {
        res.end();
      }
    });
  });
}
