/** Values the middleware puts on each request, typed for every route and the tRPC context. */
export interface AppEnv {
  Variables: {
    requestId: string;
    clientIp: string | null;
    /** Set by the 404 handler so metrics label unmatched paths as one route. */
    unmatched: boolean;
  };
}
