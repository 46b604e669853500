// `pnpm --filter @tollbooth/stripe-emulator start [flags]` — the emulator as a long-running dev
// server, like `stripe-mock` plus `stripe listen`. Flags win over environment variables:
//
//   --port <n>            STRIPE_EMULATOR_PORT          default 12111
//   --host <addr>         STRIPE_EMULATOR_HOST          default 127.0.0.1
//   --forward-to <url>    STRIPE_EMULATOR_FORWARD_TO    webhook endpoint(s); repeat or comma-separate
//   --webhook-secret <s>  STRIPE_WEBHOOK_SECRET         default whsec_emulator_000…
//   --secret-key <sk>     STRIPE_EMULATOR_SECRET_KEY    default sk_test_emulator_000…
//   --state <file>        STRIPE_EMULATOR_STATE         default .data/stripe-emulator.json
//   --memory                                            keep no state file
//   --public-url <url>    STRIPE_EMULATOR_PUBLIC_URL    base URL of hosted pages for the browser
import { parseArgs } from 'node:util';
import { DEFAULT_PORT, startStripeEmulator } from '../src/index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'forward-to': { type: 'string', multiple: true },
    'webhook-secret': { type: 'string' },
    'secret-key': { type: 'string' },
    state: { type: 'string' },
    memory: { type: 'boolean' },
    'public-url': { type: 'string' },
  },
});

const env = process.env;
const forwardTo = (values['forward-to'] ?? env.STRIPE_EMULATOR_FORWARD_TO?.split(',') ?? [])
  .flatMap((url) => url.split(','))
  .map((url) => url.trim())
  .filter(Boolean);
const port = Number(values.port ?? env.STRIPE_EMULATOR_PORT ?? DEFAULT_PORT);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`stripe-emulator: invalid port ${values.port ?? env.STRIPE_EMULATOR_PORT}`);
  process.exit(1);
}

const emulator = await startStripeEmulator({
  port,
  host: values.host ?? env.STRIPE_EMULATOR_HOST ?? '127.0.0.1',
  forwardTo,
  ...optional('webhookSecret', values['webhook-secret'] ?? env.STRIPE_WEBHOOK_SECRET),
  ...optional('secretKey', values['secret-key'] ?? env.STRIPE_EMULATOR_SECRET_KEY),
  ...optional('publicUrl', values['public-url'] ?? env.STRIPE_EMULATOR_PUBLIC_URL),
  ...(values.memory
    ? {}
    : { statePath: values.state ?? env.STRIPE_EMULATOR_STATE ?? '.data/stripe-emulator.json' }),
  tickIntervalMs: 1_000,
  log: (line) => console.log(line),
});

console.log(`stripe-emulator listening on ${emulator.url} (API version ${emulator.apiVersion})
  secret key      ${emulator.secretKey}
  webhook secret  ${emulator.webhookSecret}
  forwarding to   ${forwardTo.length > 0 ? forwardTo.join(', ') : '(nothing; pass --forward-to)'}
  SDK             new Stripe(key, { host: '${emulator.host}', port: ${emulator.port}, protocol: 'http' })`);

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  const entry: Partial<Record<K, string>> = {};
  if (value) entry[key] = value;
  return entry;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void emulator.stop().then(() => process.exit(0));
  });
}
