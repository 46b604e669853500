import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';

/**
 * The closed vocabulary of application error codes. Clients branch on `error.data.appCode`;
 * each code has one transport code, so the wire stays predictable.
 */
export const APP_CODES = {
  /** Input failed validation; `fieldErrors` says which fields and why. */
  VALIDATION_FAILED: 'BAD_REQUEST',
  /** The request could not be read (malformed JSON, wrong batch format). */
  MALFORMED_REQUEST: 'BAD_REQUEST',
  /** A tRPC batch carries more calls than the server runs at once; `details: { maxCalls, calls }`. */
  BATCH_TOO_LARGE: 'BAD_REQUEST',
  /** The HTTP method does not fit the route or procedure type. */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_SUPPORTED',
  /** The request body exceeds BODY_LIMIT_BYTES. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** No route or procedure by that name. */
  NOT_FOUND: 'NOT_FOUND',
  /** Missing, malformed, expired or revoked credentials. */
  UNAUTHENTICATED: 'UNAUTHORIZED',
  /** Authenticated, but not allowed to do this. */
  FORBIDDEN: 'FORBIDDEN',
  /** Too many attempts; retry after `retryAfterSeconds`. */
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  /** Wrong email or password, or no such account (the two are never told apart). */
  INVALID_CREDENTIALS: 'UNAUTHORIZED',
  /** register: an account with this email (compared case-insensitively) exists. */
  EMAIL_TAKEN: 'CONFLICT',
  /** The account was deactivated; it can no longer sign in. */
  ACCOUNT_DEACTIVATED: 'FORBIDDEN',
  /** login (REGISTRATION_MODE=verify-first): right password, unverified address; a new link was mailed. */
  EMAIL_NOT_VERIFIED: 'FORBIDDEN',
  /**
   * A NextAuth token names an account that has a password or an OAuth link, but does not say
   * its email is verified (`email_verified: true`) and NEXTAUTH_TRUST_EMAIL is off.
   */
  NEXTAUTH_EMAIL_UNVERIFIED: 'UNAUTHORIZED',
  /** The refresh token is unknown, expired, or its session was revoked: sign in again. */
  INVALID_REFRESH_TOKEN: 'UNAUTHORIZED',
  /** An already-rotated refresh token was presented; its whole session was revoked. */
  REFRESH_TOKEN_REUSED: 'UNAUTHORIZED',
  /** The session reached its absolute lifetime (SESSION_MAX_AGE_DAYS) and was ended: sign in again. */
  SESSION_EXPIRED: 'UNAUTHORIZED',
  /** A link token (verification, reset, magic link, OAuth exchange) is unknown or used. */
  INVALID_TOKEN: 'BAD_REQUEST',
  /** A link token was genuine but has expired; request a new one. */
  TOKEN_EXPIRED: 'BAD_REQUEST',
  /** A login code is wrong, expired, used, or was killed by too many wrong tries. */
  INVALID_CODE: 'BAD_REQUEST',
  /** A cookie-based call came from an Origin not in ALLOWED_ORIGINS. */
  ORIGIN_NOT_ALLOWED: 'FORBIDDEN',
  /** OAuth: the provider is not configured (no client id and secret). */
  OAUTH_PROVIDER_DISABLED: 'NOT_FOUND',
  /** OAuth: the state did not match the one bound to this browser, or it expired. */
  OAUTH_STATE_MISMATCH: 'BAD_REQUEST',
  /** OAuth redirect_to, or a billing success/cancel/return URL, is not on APP_URL's origin or ALLOWED_ORIGINS. */
  REDIRECT_NOT_ALLOWED: 'BAD_REQUEST',
  /** OAuth: the provider refused the code, or gave no verified email. */
  OAUTH_FAILED: 'BAD_REQUEST',
  /** Billing is not configured on this server (no STRIPE_SECRET_KEY): nothing can be charged or synced. */
  BILLING_DISABLED: 'PRECONDITION_FAILED',
  /** POST /webhooks/stripe: the Stripe-Signature header is missing, forged, or older than 300 s. */
  WEBHOOK_SIGNATURE_INVALID: 'BAD_REQUEST',
  /** billing.webhooks.retry: that Stripe event is not failed (applied, ignored or still received). */
  STRIPE_EVENT_NOT_FAILED: 'CONFLICT',
  /** billing.plans.*: no plan with that code. */
  PLAN_NOT_FOUND: 'NOT_FOUND',
  /** billing.plans.create: a plan with that code exists (archived ones too: codes are never reused). */
  PLAN_CODE_TAKEN: 'CONFLICT',
  /**
   * billing.plans.update / archive: the plan is archived; archived plans are kept as they were.
   * billing.checkout.create / subscription.change: an archived plan takes no new subscribers.
   */
  PLAN_ARCHIVED: 'CONFLICT',
  /** billing.checkout.create / subscription.change: the free plan is what no subscription gives; it is not sold. */
  PLAN_NOT_PURCHASABLE: 'BAD_REQUEST',
  /** billing.checkout.create / subscription.change: the plan's current terms are not in Stripe yet (its sync is pending or failed). */
  PLAN_NOT_SYNCED: 'PRECONDITION_FAILED',
  /** billing.checkout.create: the user has a live subscription; change it (billing.subscription.change) or use the billing portal. */
  ALREADY_SUBSCRIBED: 'CONFLICT',
  /** billing.subscription.*: the user has no subscription to change or cancel; start one with billing.checkout.create. */
  NO_SUBSCRIPTION: 'BAD_REQUEST',
  /** billing.subscription.resume: the subscription has ended; a new one starts with billing.checkout.create. */
  SUBSCRIPTION_ENDED: 'BAD_REQUEST',
  /** billing.subscription.change: the subscription is not active (e.g. past_due: settle the open invoice in the billing portal first). */
  SUBSCRIPTION_NOT_ACTIVE: 'CONFLICT',
  /** billing.subscription.change: the subscription is on that plan already (and no change is pending). */
  SAME_PLAN: 'BAD_REQUEST',
  /** billing.subscription.change: a downgrade of a subscription set to end with its period (resume it first). */
  SUBSCRIPTION_ENDING: 'CONFLICT',
  /** Stripe did not answer (network, timeout, its own 5xx or rate limit); try again in a moment. */
  STRIPE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** Stripe refused a request of ours; the details are in the server log under the request id. */
  STRIPE_REQUEST_FAILED: 'BAD_GATEWAY',
  /** A bearer token that looks like a server API key (tb_sk_…) is malformed or unknown. */
  INVALID_API_KEY: 'UNAUTHORIZED',
  /** The server API key was revoked (admin.apiKeys.revoke); it stopped working at once. */
  API_KEY_REVOKED: 'UNAUTHORIZED',
  /** The server API key lacks the scope this procedure needs (`details.requiredScope`). */
  INSUFFICIENT_SCOPE: 'FORBIDDEN',
  /** The procedure is for the product's backend only: call it with a server API key, not a user's token. */
  API_KEY_REQUIRED: 'FORBIDDEN',
  /** admin.apiKeys.revoke: no key with that id. */
  API_KEY_NOT_FOUND: 'NOT_FOUND',
  /** A server API key, or an admin, named a userId that has no account. */
  USER_NOT_FOUND: 'NOT_FOUND',
  /** credits.debit / use: the balance is below the amount; `details: { balance, requested }`. Nothing was debited. */
  INSUFFICIENT_CREDITS: 'PAYMENT_REQUIRED',
  /** credits.checkout.create: no credit pack with that code is on sale (credits.packs.list lists them). */
  CREDIT_PACK_NOT_FOUND: 'NOT_FOUND',
  /** admin.credits.packs.create: a pack with that code exists (archived ones too: codes are never reused). */
  CREDIT_PACK_CODE_TAKEN: 'CONFLICT',
  /** admin.credits.packs.update: the pack is archived; archived packs are kept as they were sold. */
  CREDIT_PACK_ARCHIVED: 'CONFLICT',
  /** The idempotency key was used before for another request (another amount, account or kind). */
  IDEMPOTENCY_KEY_REUSED: 'CONFLICT',
  /** usage.record: the plan's included operations for this period are used up and the plan refuses overage; `details: { included, used, periodEnd }`. Nothing was recorded. */
  QUOTA_EXCEEDED: 'PAYMENT_REQUIRED',
  /** usage.record: the plan bills overage on the invoice, but the user has no live subscription to invoice (or the plan no overage price); nothing was recorded. */
  OVERAGE_INVOICE_UNAVAILABLE: 'PRECONDITION_FAILED',
  /** usage.record: no active operation type with that code (see usage.operationTypes). */
  OPERATION_TYPE_NOT_FOUND: 'NOT_FOUND',
  /** admin.usage.operationTypes.create: a type with that code exists (deactivated ones too). */
  OPERATION_TYPE_CODE_TAKEN: 'CONFLICT',
  /** usage.get: no usage record with that id for this user. */
  USAGE_NOT_FOUND: 'NOT_FOUND',
  /**
   * The database is down, restarting, or did not answer within DATABASE_CONNECT_TIMEOUT_MS or
   * DATABASE_STATEMENT_TIMEOUT_MS (errors/database-unavailable.ts). Retry after
   * `details.retryAfterSeconds` (also the Retry-After header) with the same idempotency key.
   */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** Anything unexpected; details stay in the server log under the request id. */
  INTERNAL: 'INTERNAL_SERVER_ERROR',
} as const satisfies Record<string, TRPC_ERROR_CODE_KEY>;

export type AppCode = keyof typeof APP_CODES;
