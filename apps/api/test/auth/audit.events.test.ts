import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness';
import { runEveryFlow } from '../support/flows';
import { startTestSmtp } from '../support/smtp';

describe('the audit log of auth events', () => {
  it('records every auth event with request id, ip and user agent, and no secrets', async () => {
    const smtp = await startTestSmtp();
    const t = await createTestApp({ env: { SMTP_URL: smtp.url, TRUST_PROXY_HOPS: '1' } });
    const headers = {
      'x-request-id': 'audit-req-1',
      'user-agent': 'AuditTest/2.0',
      'x-forwarded-for': '198.51.100.23',
    };

    const { secrets, userId } = await runEveryFlow(t, smtp, headers);

    const rows = await t.deps.db
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('created_at')
      .execute();
    const events = new Set(rows.map((row) => row.event_type));
    for (const event of [
      'auth.register',
      'auth.email_verified',
      'auth.login_failed',
      'auth.login',
      'auth.password_changed',
      'auth.password_reset_requested',
      'auth.password_reset',
      'auth.login_code_failed',
      'auth.logout',
      'auth.deactivated',
    ]) {
      expect(events, event).toContain(event);
    }
    for (const row of rows) {
      expect(row).toMatchObject({
        request_id: 'audit-req-1',
        ip: '198.51.100.23',
        user_agent: 'AuditTest/2.0',
        source: 'auth',
      });
    }
    expect(rows.find((row) => row.event_type === 'auth.deactivated')?.user_id).toBe(userId);
    const dump = JSON.stringify(rows);
    for (const secret of secrets) expect(dump).not.toContain(secret);
  });
});
