// `pnpm --filter @tollbooth/stripe-emulator start`: the CLI serves the API on the given port,
// forwards signed webhooks, saves state, and exits cleanly on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SECRET_KEY, DEFAULT_WEBHOOK_SECRET } from '../src/index.ts';
import { startReceiver } from './helpers.ts';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (pattern.test(output)) resolve(output);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
}

let child: ChildProcess | undefined;
let dir: string | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the start script', () => {
  it('serves the API, forwards webhooks and saves state until SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'stripe-emulator-cli-'));
    const statePath = join(dir, 'state.json');
    const port = await freePort();
    const receiver = await startReceiver(DEFAULT_WEBHOOK_SECRET);
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bin/start.ts',
        '--port',
        String(port),
        '--forward-to',
        receiver.url,
        '--state',
        statePath,
      ],
      { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const banner = await waitForOutput(child, /listening on/);
    expect(banner).toContain(`http://127.0.0.1:${port}`);
    expect(banner).toContain(DEFAULT_WEBHOOK_SECRET);

    const stripe = new Stripe(DEFAULT_SECRET_KEY, {
      host: '127.0.0.1',
      port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const customer = await stripe.customers.create({ email: 'ada@example.com' });
    await fetch(`http://127.0.0.1:${port}/_emulator/webhooks/settled`, {
      headers: { Authorization: `Bearer ${DEFAULT_SECRET_KEY}` },
    });
    expect(receiver.events.map((event) => event.type)).toEqual(['customer.created']);

    const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(statePath)).toBe(true);
    expect(readFileSync(statePath, 'utf8')).toContain(customer.id);
    await receiver.close();
  });
});
