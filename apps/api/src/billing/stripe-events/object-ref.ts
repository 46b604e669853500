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
