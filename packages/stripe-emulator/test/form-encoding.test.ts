// Request bodies are Stripe's form encoding with bracket notation, and '' means "unset".
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseForm } from '../src/http/form.ts';
import { startTestEmulator, type TestEnv } from './helpers.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await startTestEmulator();
});
afterEach(() => env.stop());

describe('form encoding', () => {
  it('reads nested hashes and arrays as the SDK encodes them', async () => {
    const customer = await env.stripe.customers.create({
      email: 'ada@example.com',
      metadata: { user_id: '42', 'order.id': 'A-1 7' },
      address: { city: 'London', country: 'GB' },
    });
    expect(customer.metadata).toEqual({ user_id: '42', 'order.id': 'A-1 7' });
    expect(customer.address).toMatchObject({ city: 'London', country: 'GB', line1: null });
  });

  it('treats an empty value as unset, for a field and for a metadata key', async () => {
    const customer = await env.stripe.customers.create({
      email: 'ada@example.com',
      description: 'VIP',
      metadata: { keep: 'yes', drop: 'me' },
    });
    const updated = await env.stripe.customers.update(customer.id, {
      description: '',
      metadata: { drop: '' },
    });
    expect(updated.description).toBeNull();
    expect(updated.metadata).toEqual({ keep: 'yes' });
  });

  it('accepts `key[]` appends as well as indexed arrays (curl-style bodies)', () => {
    expect(
      parseForm('expand[]=a&expand[]=b&line_items[0][price]=p&line_items[0][quantity]=2'),
    ).toEqual({
      expand: ['a', 'b'],
      line_items: [{ price: 'p', quantity: '2' }],
    });
  });

  it('decodes percent-encoding and plus signs', () => {
    expect(parseForm('email=ada%2Btag%40example.com&name=Ada+Lovelace')).toEqual({
      email: 'ada+tag@example.com',
      name: 'Ada Lovelace',
    });
  });
});
