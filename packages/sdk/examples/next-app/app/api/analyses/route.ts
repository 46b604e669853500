// app/api/analyses/route.ts — meters one analysis per request, exactly once per analysis id.
import { isTollboothError } from '@tollbooth/sdk';
import { signedInUserId, tollbooth } from '@/lib/tollbooth';

export async function POST(request: Request): Promise<Response> {
  const userId = await signedInUserId(request);
  if (!userId) return Response.json({ error: 'sign in first' }, { status: 401 });
  const body: unknown = await request.json();
  const analysisId =
    typeof body === 'object' && body !== null && 'analysisId' in body ? body.analysisId : null;
  if (typeof analysisId !== 'string' || analysisId === '') {
    return Response.json({ error: 'analysisId is required' }, { status: 400 });
  }
  try {
    // Meter before doing the work. The analysis id makes the key: a retried request (a
    // timeout, a double click, another server instance) counts once and gets the first answer.
    const usage = await tollbooth.usage.record.mutate({
      userId,
      operation: 'strategic_analysis',
      idempotencyKey: `analysis:${analysisId}`,
      metadata: { analysisId },
    });
    // … run the analysis here …
    return Response.json({
      analysisId,
      outcome: usage.outcome, // 'included' | 'credits'
      remaining: usage.remaining, // { included, creditBalance }
    });
  } catch (error) {
    // Out of included operations on a plan that refuses overage, or out of credits.
    if (
      isTollboothError(error, 'QUOTA_EXCEEDED') ||
      isTollboothError(error, 'INSUFFICIENT_CREDITS')
    ) {
      return Response.json(
        {
          error: 'upgrade your plan or buy credits',
          reason: error.data?.appCode,
          details: error.data?.details,
        },
        { status: 402 },
      );
    }
    throw error;
  }
}
