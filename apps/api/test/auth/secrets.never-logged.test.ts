import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness';
import { runEveryFlow } from '../support/flows';
import { startTestSmtp } from '../support/smtp';

describe('secrets in logs', () => {
  it('never writes a password, token or code of any flow to the log', async () => {
    const smtp = await startTestSmtp();
    const t = await createTestApp({ env: { SMTP_URL: smtp.url, LOG_LEVEL: 'trace' } });

    const { secrets } = await runEveryFlow(t, smtp, { 'x-request-id': 'scan-1' });

    expect(secrets.length).toBeGreaterThanOrEqual(15);
    expect(t.logs.lines.length).toBeGreaterThan(20);
    const everything = t.logs.lines.join('\n');
    for (const secret of secrets) {
      expect(everything.includes(secret), `a secret of length ${secret.length} was logged`).toBe(
        false,
      );
      // Tokens are `<id>.<secret>`: the secret half alone must not appear either.
      const secretHalf = secret.split('.').at(-1) ?? secret;
      if (secretHalf.length >= 20) expect(everything.includes(secretHalf)).toBe(false);
    }
  });
});
