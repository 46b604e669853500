// Delivers events to the configured endpoints the way Stripe does: a signed JSON POST per event
// and endpoint; any non-2xx answer, network error or timeout is retried after the next delay in
// `retryDelaysMs` (Stripe spreads retries over three days; the defaults here are shorter, and
// tests pass a few milliseconds). Each endpoint gets its events one at a time in the order they
// happened, unless a test switch says otherwise:
//   outOfOrder        — the events of one request (or clock step) are sent newest first;
//   duplicate         — every event is sent twice (same id), as Stripe may;
//   dropFirstAttempt  — the first attempt of every event is lost, so it arrives only on retry;
//   delayMs           — every event waits this long before its first attempt.
// `settled()` resolves once nothing is queued, in flight or waiting to retry, so tests wait for
// deliveries without sleeping.
import type Stripe from 'stripe';
import { signatureHeader } from './signer.ts';

export interface WebhookEndpoint {
  url: string;
  secret: string;
}

export interface DeliverySwitches {
  outOfOrder: boolean;
  duplicate: boolean;
  dropFirstAttempt: boolean;
  delayMs: number;
}

export interface DeliveryOptions {
  retryDelaysMs: number[];
  timeoutMs: number;
  switches: DeliverySwitches;
  log(line: string): void;
  /** Called once per endpoint that accepted the event (Stripe's `pending_webhooks` countdown). */
  onDelivered(event: Stripe.EventBase): void;
}

export interface DeliveryAttempt {
  eventId: string;
  type: string;
  url: string;
  attempt: number;
  /** HTTP status, or null when the attempt never got an answer. */
  status: number | null;
  outcome: 'delivered' | 'failed' | 'dropped';
  error: string | null;
}

interface Job {
  endpoint: WebhookEndpoint;
  event: Stripe.EventBase;
  attempt: number;
}

export const NO_SWITCHES: DeliverySwitches = {
  outOfOrder: false,
  duplicate: false,
  dropFirstAttempt: false,
  delayMs: 0,
};

export class WebhookDispatcher {
  readonly endpoints: WebhookEndpoint[] = [];
  readonly attempts: DeliveryAttempt[] = [];
  private batch: Stripe.EventBase[] = [];
  private readonly queues = new Map<WebhookEndpoint, Job[]>();
  private readonly running = new Set<WebhookEndpoint>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Jobs queued, running or waiting on a timer; 0 means settled. */
  private outstanding = 0;
  private waiters: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly options: DeliveryOptions) {}

  get switches(): DeliverySwitches {
    return this.options.switches;
  }

  setSwitches(switches: Partial<DeliverySwitches>): DeliverySwitches {
    this.options.switches = { ...this.options.switches, ...switches };
    return this.options.switches;
  }

  /** Collects an event; nothing is sent until `flush()` closes the batch. */
  enqueue(event: Stripe.EventBase): void {
    this.batch.push(event);
  }

  /** Sends the events gathered since the last flush: one request's or clock step's worth. */
  flush(): void {
    const batch = this.batch;
    this.batch = [];
    if (this.stopped || batch.length === 0) return;
    const { outOfOrder, duplicate, delayMs } = this.options.switches;
    const ordered = outOfOrder ? [...batch].reverse() : batch;
    for (const endpoint of this.endpoints) {
      for (const event of ordered) {
        const copies = duplicate ? 2 : 1;
        for (let i = 0; i < copies; i++) this.schedule({ endpoint, event, attempt: 1 }, delayMs);
      }
    }
  }

  settled(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.queues.clear();
    this.outstanding = 0;
    this.release();
  }

  private schedule(job: Job, delayMs: number): void {
    this.outstanding++;
    if (delayMs <= 0) {
      this.push(job);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.push(job);
    }, delayMs);
    this.timers.add(timer);
  }

  private push(job: Job): void {
    if (this.stopped) return;
    const queue = this.queues.get(job.endpoint) ?? [];
    queue.push(job);
    this.queues.set(job.endpoint, queue);
    void this.drain(job.endpoint);
  }

  private async drain(endpoint: WebhookEndpoint): Promise<void> {
    if (this.running.has(endpoint)) return;
    this.running.add(endpoint);
    try {
      for (
        let job = this.queues.get(endpoint)?.shift();
        job;
        job = this.queues.get(endpoint)?.shift()
      ) {
        await this.attempt(job);
        this.finish();
      }
    } finally {
      this.running.delete(endpoint);
    }
  }

  private async attempt(job: Job): Promise<void> {
    const { endpoint, event, attempt } = job;
    const record: DeliveryAttempt = {
      eventId: event.id,
      type: event.type,
      url: endpoint.url,
      attempt,
      status: null,
      outcome: 'failed',
      error: null,
    };
    if (attempt === 1 && this.options.switches.dropFirstAttempt) {
      record.outcome = 'dropped';
      record.error = 'dropped by the dropFirstAttempt switch';
    } else {
      await this.post(job, record);
    }
    this.attempts.push(record);
    this.options.log(
      `[stripe-emulator] ${event.type} [${event.id}] → ${endpoint.url} ` +
        `#${attempt} ${record.status ?? record.outcome}${record.error ? ` (${record.error})` : ''}`,
    );
    if (record.outcome === 'delivered') {
      this.options.onDelivered(event);
      return;
    }
    const delay = this.options.retryDelaysMs[attempt - 1];
    if (delay !== undefined && !this.stopped)
      this.schedule({ ...job, attempt: attempt + 1 }, delay);
  }

  private async post(job: Job, record: DeliveryAttempt): Promise<void> {
    // Stripe sends pretty-printed JSON; the signature covers these exact bytes.
    const payload = JSON.stringify(job.event, null, 2);
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(job.endpoint.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'Stripe-Signature': signatureHeader(payload, job.endpoint.secret, timestamp),
        },
        body: payload,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.arrayBuffer();
      record.status = response.status;
      record.outcome = response.ok ? 'delivered' : 'failed';
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
    }
  }

  private finish(): void {
    this.outstanding = Math.max(0, this.outstanding - 1);
    if (this.outstanding === 0) this.release();
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
