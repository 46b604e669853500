import { z } from 'zod';

const ZJwks = z.object({
  keys: z.array(z.looseObject({ kid: z.string(), kty: z.string() })),
});

export async function readJwks(response: Response) {
  return ZJwks.parse(await response.json());
}

const ZTrpcBody = z.looseObject({
  result: z.looseObject({ data: z.looseObject({}) }).optional(),
  error: z.looseObject({ data: z.looseObject({ requestId: z.unknown().optional() }) }).optional(),
});

/** An unbatched tRPC response body: `result.data` or `error`. */
export async function readTrpcBody(response: Response) {
  return ZTrpcBody.parse(await response.json());
}
