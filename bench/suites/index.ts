import type { SuiteDefinition } from '../lib/suite';
import { debits } from './debits';
import { requestPath } from './request-path';
import { webhooks } from './webhooks';

/** Every suite `pnpm bench` runs, in order; BENCH_ONLY=name,name selects some. */
export const suites: SuiteDefinition[] = [requestPath, webhooks, debits];
