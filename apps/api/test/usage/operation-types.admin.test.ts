import { describe, expect, it } from 'vitest';
import { appRouter } from '../../src/trpc/root';
import { auditRows } from '../credits/credits-testing';
import { failure, registerAccount } from '../support/accounts';
import { readTrpcBody } from '../support/http';
import { callProcedure, listProcedures } from '../support/procedures';
import { grant, usageApp } from './usage-testing';

const REPORT = { code: 'report_export', name: 'Report Export', unitCostCredits: 2 };

describe('admin.usage.operationTypes: admins edit what is metered', () => {
  it('creates a type that usage.operationTypes lists and usage.record meters at its cost (audited)', async () => {
    const { t, admin, adminAccount, userId, server } = await usageApp();
    await t.deps.db.updateTable('plans').set({ included_operations: 0 }).execute();
    await grant(admin, userId, 10);

    const created = await admin.admin.usage.operationTypes.create.mutate(REPORT);
    const recorded = await server.usage.record.mutate({
      userId,
      operation: 'report_export',
      quantity: 3,
      idempotencyKey: 'export-1',
    });

    expect(created).toEqual({ ...REPORT, description: null, active: true });
    expect((await server.usage.operationTypes.query()).map((type) => type.code)).toContain(
      'report_export',
    );
    expect(recorded).toMatchObject({ outcome: 'credits', record: { creditsSpent: 6 } });
    expect(await auditRows(t, 'usage.operation_type_created')).toEqual([
      {
        user_id: adminAccount.user.id,
        status: 'success',
        metadata: { operation: 'report_export', unitCostCredits: 2, changed: null },
      },
    ]);
  });

  it('updates only the fields given: a new cost applies to later records, earlier ones keep theirs', async () => {
    const { t, admin, userId, server } = await usageApp();
    await t.deps.db.updateTable('plans').set({ included_operations: 0 }).execute();
    await grant(admin, userId, 100);
    await admin.admin.usage.operationTypes.create.mutate(REPORT);
    const before = await server.usage.record.mutate({
      userId,
      operation: 'report_export',
      idempotencyKey: 'before',
    });

    const updated = await admin.admin.usage.operationTypes.update.mutate({
      code: 'report_export',
      unitCostCredits: 7,
      description: 'A PDF of the dashboard',
    });
    const unchanged = await admin.admin.usage.operationTypes.update.mutate({
      code: 'report_export',
      name: 'Report Export',
    });
    const after = await server.usage.record.mutate({
      userId,
      operation: 'report_export',
      idempotencyKey: 'after',
    });

    expect(updated).toEqual({
      ...REPORT,
      unitCostCredits: 7,
      description: 'A PDF of the dashboard',
      active: true,
    });
    expect(unchanged).toEqual(updated);
    expect(before.record.creditsSpent).toBe(2);
    expect(after.record.creditsSpent).toBe(7);
    expect((await server.usage.get.query({ userId, id: before.record.id })).creditsSpent).toBe(2);
    expect((await auditRows(t, 'usage.operation_type_updated')).map((row) => row.metadata)).toEqual(
      [
        {
          operation: 'report_export',
          unitCostCredits: 7,
          changed: 'description,unit_cost_credits',
        },
      ],
    );
  });

  it('deactivates: hidden from usage.operationTypes, refused by usage.record, still in the admin list; update with active: true brings it back', async () => {
    const { t, admin, userId, server } = await usageApp();

    const off = await admin.admin.usage.operationTypes.deactivate.mutate({
      code: 'market_research',
    });
    const again = await admin.admin.usage.operationTypes.deactivate.mutate({
      code: 'market_research',
    });
    const refused = await failure(
      server.usage.record.mutate({ userId, operation: 'market_research', idempotencyKey: 'm1' }),
    );
    const listed = await admin.admin.usage.operationTypes.list.query();
    const visible = await server.usage.operationTypes.query();

    expect(off).toMatchObject({ code: 'market_research', active: false });
    expect(again).toEqual(off);
    expect(refused).toMatchObject({ httpStatus: 404, appCode: 'OPERATION_TYPE_NOT_FOUND' });
    expect(listed.find((type) => type.code === 'market_research')).toMatchObject({ active: false });
    expect(visible.map((type) => type.code)).not.toContain('market_research');
    expect(await auditRows(t, 'usage.operation_type_deactivated')).toHaveLength(1);

    await admin.admin.usage.operationTypes.update.mutate({ code: 'market_research', active: true });
    await grant(admin, userId, 8);
    expect(
      await server.usage.record.mutate({
        userId,
        operation: 'market_research',
        idempotencyKey: 'm2',
      }),
    ).toMatchObject({ record: { operation: 'market_research' } });
  });
});

describe('admin.usage.operationTypes refuses', () => {
  const PROCEDURES = listProcedures(appRouter).filter((entry) =>
    entry.path.startsWith('admin.usage.operationTypes.'),
  );

  it('covers the four procedures', () => {
    expect(PROCEDURES.map((entry) => entry.path).sort()).toEqual([
      'admin.usage.operationTypes.create',
      'admin.usage.operationTypes.deactivate',
      'admin.usage.operationTypes.list',
      'admin.usage.operationTypes.update',
    ]);
  });

  it.each(PROCEDURES)('$path: a signed-in user who is not an admin, with 403', async (entry) => {
    const { t } = await usageApp();
    const user = await registerAccount(t);
    const response = await callProcedure(t.fetch, entry, {
      accessToken: user.accessToken,
      input: { ...REPORT, code: 'market_research' },
    });

    expect(response.status).toBe(403);
    expect((await readTrpcBody(response)).error?.data.appCode).toBe('FORBIDDEN');
    expect(
      (
        await t.deps.db
          .selectFrom('operation_types')
          .select('active')
          .where('code', '=', 'market_research')
          .executeTakeFirstOrThrow()
      ).active,
    ).toBe(true);
  });

  it('a taken code with 409, an unknown one with 404, and bad input with field messages', async () => {
    const { admin } = await usageApp();

    expect(
      await failure(
        admin.admin.usage.operationTypes.create.mutate({ ...REPORT, code: 'market_research' }),
      ),
    ).toMatchObject({ code: 'CONFLICT', appCode: 'OPERATION_TYPE_CODE_TAKEN' });
    expect(
      await failure(admin.admin.usage.operationTypes.update.mutate({ code: 'nope', name: 'N' })),
    ).toMatchObject({ code: 'NOT_FOUND', appCode: 'OPERATION_TYPE_NOT_FOUND' });
    expect(
      await failure(
        admin.admin.usage.operationTypes.create.mutate({ ...REPORT, unitCostCredits: 0 }),
      ),
    ).toMatchObject({
      appCode: 'VALIDATION_FAILED',
      data: { fieldErrors: { unitCostCredits: [expect.any(String)] } },
    });
  });
});
