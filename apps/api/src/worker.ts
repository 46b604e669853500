/**
 * `pnpm worker`: the job worker as its own process (production, a Render worker service).
 * Same config and dependencies as the API; runs mail and housekeeping jobs until SIGTERM,
 * then lets running jobs finish before exiting.
 */
import { parseConfigOrExit } from './config';
import { createDeps } from './deps';
import { startWorker } from './jobs/worker';

async function main(): Promise<void> {
  const config = parseConfigOrExit(process.env);
  if (!config.databaseUrl) {
    console.error('Invalid configuration: DATABASE_URL is required for the worker');
    process.exit(1);
  }
  const { deps, close } = createDeps(config);
  const worker = await startWorker(deps);
  deps.logger.info('job worker started');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.logger.info({ signal }, 'job worker stopping');
    await worker.stop();
    await close();
    deps.logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

// A start-up failure that is not a configuration error (those exit in parseConfigOrExit
// with their one line) is a bug or a broken environment: print the whole stack.
main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
