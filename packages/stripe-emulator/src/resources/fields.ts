// Parameter readers shared by several resources, with Stripe's validation messages.
import type Stripe from 'stripe';
import { invalidRequest } from '../errors.ts';
import type { Params } from '../http/params.ts';

// Deliberately loose, like Stripe's: something@something.tld, no spaces.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function readEmail(params: Params, key = 'email'): string | null | undefined {
  const email = params.nullableString(key);
  if (email && !EMAIL.test(email)) {
    throw invalidRequest(`Invalid email address: ${email}`, {
      code: 'email_invalid',
      param: params.name(key),
    });
  }
  return email;
}

export function readAddress(params: Params, key = 'address'): Stripe.Address | null | undefined {
  if (!params.has(key)) return undefined;
  const address = params.object(key);
  if (!address) return null;
  return {
    city: address.nullableString('city') ?? null,
    country: address.nullableString('country') ?? null,
    line1: address.nullableString('line1') ?? null,
    line2: address.nullableString('line2') ?? null,
    postal_code: address.nullableString('postal_code') ?? null,
    state: address.nullableString('state') ?? null,
  };
}

/** ISO currency codes, lowercased as Stripe stores them. */
export function readCurrency(params: Params, key = 'currency'): string {
  const currency = params.requiredString(key).toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) {
    throw invalidRequest(`Invalid currency: ${currency}.`, { param: params.name(key) });
  }
  return currency;
}

export function readUrl(params: Params, key: string): string | undefined {
  const url = params.string(key);
  if (url === undefined || url === '') return undefined;
  if (!URL.canParse(url)) {
    throw invalidRequest('Not a valid URL', { code: 'url_invalid', param: params.name(key) });
  }
  return url;
}
