/** The one thing a handler takes from an event body: which object it is about. */
import { z } from 'zod';
import { parseOrReject } from './context';

/** data.object's id, checked to be an object of `kind` with an id of that kind's shape. */
export function objectIdOf(body: unknown, kind: string, idPattern: RegExp): string {
  const schema = z.object({
    object: z.literal(kind, { error: `must be a ${kind}` }),
    id: z
      .string()
      .max(255)
      .regex(idPattern, { error: `must be a ${kind} id` }),
  });
  return parseOrReject(schema, body, 'data.object').id;
}

const ZCustomerRef = z.object({
  customer: z
    .union([z.string(), z.object({ id: z.string() })])
    .transform((value) => (typeof value === 'string' ? value : value.id))
    .pipe(z.string().regex(/^cus_[A-Za-z0-9]+$/, { error: 'must be a customer id' })),
});

/** data.object's customer (the lock key of everything about that customer), if it names one. */
export function customerOf(body: unknown): string | null {
  const parsed = ZCustomerRef.safeParse(body);
  return parsed.success ? parsed.data.customer : null;
}

/** The customer, which a body of this kind always names. */
export function requireCustomerOf(body: unknown): string {
  return parseOrReject(ZCustomerRef, body, 'data.object').customer;
}
