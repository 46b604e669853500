/**
 * Prometheus metrics for GET /metrics. Each app gets its own registry so that several apps in
 * one process (tests, the bench) never collide on metric names.
 */
import type pg from 'pg';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  observeRequest(labels: { method: string; route: string; status: number }, seconds: number): void;
  observeProcedure(labels: { procedure: string; type: string; ok: boolean }, seconds: number): void;
  /** A Stripe webhook event by (bounded) type and what became of it. */
  countStripeEvent(labels: { type: string; outcome: StripeEventOutcome }): void;
  /** billing.checkout.create opened a session for a plan (codes are admin-made: bounded). */
  countCheckoutSession(labels: { plan: string }): void;
}

export type StripeEventOutcome =
  | 'received'
  | 'applied'
  | 'duplicate'
  | 'failed'
  | 'ignored'
  | 'rejected';

export interface MetricsSources {
  /** Read at scrape time for the subscriptions-by-status gauge. */
  subscriptionsByStatus?: () => Promise<Array<{ status: string; count: number }>>;
}

/** From 1 ms to 10 s: covers a cached token check and an argon2 hash under load. */
const LATENCY_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export function createMetrics(pool: pg.Pool, sources: MetricsSources = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, matched route and status',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, matched route and status',
    labelNames,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers: [registry],
  });
  const procedureDuration = new Histogram({
    name: 'trpc_procedure_duration_seconds',
    help: 'tRPC procedure latency by procedure, type and outcome',
    labelNames: ['procedure', 'type', 'ok'] as const,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers: [registry],
  });
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database pool connections by state',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });

  const stripeEvents = new Counter({
    name: 'stripe_webhook_events_total',
    help: 'Stripe events by type (handled types, else "other") and outcome: received, applied, duplicate, failed, ignored, rejected (bad signature)',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const checkoutSessions = new Counter({
    name: 'billing_checkout_sessions_created_total',
    help: 'Stripe checkout sessions created by billing.checkout.create, by plan code',
    labelNames: ['plan'] as const,
    registers: [registry],
  });
  const readSubscriptions = sources.subscriptionsByStatus;
  if (readSubscriptions) {
    new Gauge({
      name: 'billing_subscriptions',
      help: 'Mirrored Stripe subscriptions by status',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        try {
          for (const { status, count } of await readSubscriptions()) this.set({ status }, count);
        } catch {
          // The database is down: /healthz says so; the scrape still answers.
        }
      },
    });
  }

  return {
    registry,
    observeRequest({ method, route, status }, seconds) {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
    observeProcedure({ procedure, type, ok }, seconds) {
      procedureDuration.observe({ procedure, type, ok: String(ok) }, seconds);
    },
    countStripeEvent(labels) {
      stripeEvents.inc(labels);
    },
    countCheckoutSession(labels) {
      checkoutSessions.inc(labels);
    },
  };
}
