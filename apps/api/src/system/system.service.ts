import type { Deps } from '../deps';
import { SERVICE_NAME, SERVICE_VERSION } from '../version';
import { pingDatabase } from './system.queries';

/**
 * Health checks answer within this bound even when the database hangs (a black-holed host,
 * an exhausted pool), so a load balancer gets a 503 instead of a timeout.
 */
export const DATABASE_CHECK_TIMEOUT_MS = 1_500;

export interface DatabaseStatus {
  reachable: boolean;
  latencyMs: number;
}

export async function checkDatabase(
  deps: Pick<Deps, 'db'>,
  timeoutMs = DATABASE_CHECK_TIMEOUT_MS,
): Promise<DatabaseStatus> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = pingDatabase(deps.db).then(
    () => true,
    () => false,
  );
  try {
    const reachable = await Promise.race([ping, timeout]);
    return { reachable, latencyMs: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

export interface SystemInfo {
  name: string;
  version: string;
  /** Server time, ISO 8601. */
  time: string;
  database: DatabaseStatus;
}

export async function getSystemInfo(deps: Pick<Deps, 'db' | 'clock'>): Promise<SystemInfo> {
  return {
    name: SERVICE_NAME,
    version: SERVICE_VERSION,
    time: deps.clock.now().toISOString(),
    database: await checkDatabase(deps),
  };
}
