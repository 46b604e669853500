// Stripe's error envelope: `{ "error": { type, code, message, param, … } }` with the HTTP status
// that the SDK maps to its error classes (400/404 → StripeInvalidRequestError or, for
// `idempotency_error`, StripeIdempotencyError; 401 → StripeAuthenticationError; 402 →
// StripeCardError). Handlers throw these; the server turns them into responses, so an
// integration sees the same `err.type`, `err.code` and `err.param` it would see from Stripe.
import type Stripe from 'stripe';

export type StripeErrorBody = Stripe.StripeRawError;

const DOC_BASE = 'https://stripe.com/docs/error-codes';

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
    this.name = 'StripeApiError';
  }
}

function withDoc(body: StripeErrorBody): StripeErrorBody {
  return body.code ? { ...body, doc_url: `${DOC_BASE}/${body.code.replaceAll('_', '-')}` } : body;
}

export function invalidRequest(
  message: string,
  options: { param?: string; code?: string; status?: number } = {},
): StripeApiError {
  const body: StripeErrorBody = { type: 'invalid_request_error', message };
  if (options.code) body.code = options.code;
  if (options.param) body.param = options.param;
  return new StripeApiError(options.status ?? 400, withDoc(body));
}

/** `kind` is the object name Stripe uses in the message, e.g. "customer", "price". */
export function resourceMissing(kind: string, id: string, param = 'id'): StripeApiError {
  return invalidRequest(`No such ${kind}: '${id}'`, {
    code: 'resource_missing',
    param,
    status: param === 'id' ? 404 : 400,
  });
}

export function parameterMissing(param: string): StripeApiError {
  return invalidRequest(`Missing required param: ${param}.`, { code: 'parameter_missing', param });
}

export function parameterUnknown(param: string): StripeApiError {
  return invalidRequest(
    `Received unknown parameter: ${param}. Did you mean to pass it in a nested object?`,
    { code: 'parameter_unknown', param },
  );
}

export function invalidInteger(param: string, value: string): StripeApiError {
  return invalidRequest(`Invalid integer: ${value}`, {
    code: 'parameter_invalid_integer',
    param,
  });
}

export function invalidEnum(param: string, allowed: readonly string[]): StripeApiError {
  const list =
    allowed.length > 1
      ? `${allowed.slice(0, -1).join(', ')}, or ${allowed[allowed.length - 1]}`
      : (allowed[0] ?? '');
  return invalidRequest(`Invalid ${param}: must be one of ${list}`, { param });
}

export function authenticationRequired(): StripeApiError {
  return new StripeApiError(401, {
    type: 'invalid_request_error',
    message:
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
  });
}

/** Stripe echoes a redacted key: the prefix and the last four characters. */
export function invalidApiKey(key: string): StripeApiError {
  const redacted =
    key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}` : key;
  return new StripeApiError(401, {
    type: 'invalid_request_error',
    message: `Invalid API Key provided: ${redacted}`,
  });
}

export function idempotencyMismatch(key: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'idempotency_error',
    message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
  });
}

export interface CardDecline {
  code: 'card_declined' | 'expired_card' | 'incorrect_cvc';
  declineCode: string;
  message: string;
}

export function cardError(decline: CardDecline, extra: Partial<StripeErrorBody> = {}) {
  return new StripeApiError(
    402,
    withDoc({
      type: 'card_error',
      code: decline.code,
      decline_code: decline.declineCode,
      message: decline.message,
      ...extra,
    }),
  );
}

export function unrecognizedUrl(method: string, path: string): StripeApiError {
  return invalidRequest(
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    { status: 404 },
  );
}
