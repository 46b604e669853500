// Runs everything that is due at the emulated time, in time order: subscription schedule steps,
// period ends, dunning retries, checkout session expiry. Advancing the clock steps through each
// due moment in turn (the clock is set to that moment first), so a jump of three months produces
// three renewals with their real dates rather than one confused catch-up. At one moment a
// schedule step goes first, so a phase that starts where a period ends is in place when that
// period renews.
import type { EmulatorContext } from '../context.ts';
import { expireCheckoutSession } from './checkout.ts';
import { reachPeriodEnd, retryInvoice } from './renewal.ts';
import { runSchedule, scheduleDueAt } from './schedule-transitions.ts';
import { currentPeriod } from './subscriptions.ts';

interface Task {
  at: number;
  run(): void;
}

const BILLING_STATUSES = new Set(['active', 'past_due', 'trialing']);

/** A guard against a bug turning a step into an endless loop of due work. */
const MAX_TASKS_PER_RUN = 100_000;

function nextTask(ctx: EmulatorContext): Task | undefined {
  let next: Task | undefined;
  const consider = (at: number, run: () => void) => {
    if (!next || at < next.at) next = { at, run };
  };
  for (const schedule of ctx.store.subscriptionSchedules.values()) {
    const at = scheduleDueAt(schedule);
    if (at !== undefined) consider(at, () => runSchedule(ctx, schedule));
  }
  for (const subscription of ctx.store.subscriptions.values()) {
    if (!BILLING_STATUSES.has(subscription.status)) continue;
    consider(currentPeriod(subscription).end, () => reachPeriodEnd(ctx, subscription));
  }
  for (const invoice of ctx.store.invoices.values()) {
    const at = invoice.next_payment_attempt;
    if (invoice.status !== 'open' || at === null) continue;
    consider(at, () => retryInvoice(ctx, invoice));
  }
  for (const session of ctx.store.checkoutSessions.values()) {
    if (session.status !== 'open') continue;
    consider(session.expires_at, () => expireCheckoutSession(ctx, session));
  }
  return next;
}

/**
 * Runs due work up to `until`. With `moveClock`, the clock is first set to each task's time
 * (a clock advance); without it, work that fell due while real time passed is caught up.
 */
export function runDueWork(ctx: EmulatorContext, until: number, moveClock: boolean): number {
  let count = 0;
  for (;;) {
    const task = nextTask(ctx);
    if (!task || task.at > until) break;
    if (++count > MAX_TASKS_PER_RUN) throw new Error('stripe-emulator: runaway billing schedule');
    if (moveClock) ctx.clock.advanceTo(task.at);
    task.run();
  }
  return count;
}

export function advanceClock(ctx: EmulatorContext, target: number): number {
  const count = runDueWork(ctx, target, true);
  ctx.clock.advanceTo(target);
  return count;
}
