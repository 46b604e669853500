/**
 * Operation types: what the product meters (code, name, unit cost in credits). Seeded with
 * the four of the PM33 seed by `pnpm db:seed` (inserted when missing, never overwritten, so an
 * admin's edits survive re-seeding); admins edit them with admin.usage.operationTypes.* (operation-types-admin.ts).
 */
import type { Database, NewOperationType, OperationType, OperationTypeUpdate } from '@tollbooth/db';
import type { Kysely } from 'kysely';

type Db = Kysely<Database>;

/** The seed names no costs; these weigh the operations by how much work each asks for. */
export const DEFAULT_OPERATION_TYPES: readonly NewOperationType[] = [
  {
    code: 'strategic_analysis',
    name: 'Strategic Analysis',
    description: 'Comprehensive strategic analysis with recommendations',
    unit_cost_credits: 10,
  },
  {
    code: 'workflow_generation',
    name: 'Workflow Generation',
    description: 'Generate executable workflows with task breakdown',
    unit_cost_credits: 5,
  },
  {
    code: 'competitive_analysis',
    name: 'Competitive Analysis',
    description: 'Analyze competitors, market position, opportunities',
    unit_cost_credits: 8,
  },
  {
    code: 'market_research',
    name: 'Market Research',
    description: 'Market sizing, trends analysis, customer segmentation',
    unit_cost_credits: 8,
  },
];

export interface OperationTypeView {
  code: string;
  name: string;
  description: string | null;
  unitCostCredits: number;
  active: boolean;
}

export function toOperationTypeView(row: OperationType): OperationTypeView {
  return {
    code: row.code,
    name: row.name,
    description: row.description,
    unitCostCredits: row.unit_cost_credits,
    active: row.active,
  };
}

/** Codes inserted by this run (empty on a re-run). */
export async function seedOperationTypes(db: Db): Promise<string[]> {
  const rows = await db
    .insertInto('operation_types')
    .values([...DEFAULT_OPERATION_TYPES])
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('code')
    .execute();
  return rows.map((row) => row.code);
}

export async function listActiveOperationTypes(db: Db): Promise<OperationTypeView[]> {
  const rows = await db
    .selectFrom('operation_types')
    .selectAll()
    .where('active', '=', true)
    .orderBy('code')
    .execute();
  return rows.map(toOperationTypeView);
}

export async function findActiveOperationType(
  db: Db,
  code: string,
): Promise<OperationType | undefined> {
  return db
    .selectFrom('operation_types')
    .selectAll()
    .where('code', '=', code)
    .where('active', '=', true)
    .executeTakeFirst();
}

/** Every type, deactivated ones too, by code (for admins). */
export async function listAllOperationTypeRows(db: Db): Promise<OperationType[]> {
  return db.selectFrom('operation_types').selectAll().orderBy('code').execute();
}

/** Undefined when the code is taken (the primary key decides, not a racy pre-check). */
export async function insertOperationType(
  db: Db,
  row: NewOperationType,
): Promise<OperationType | undefined> {
  return db
    .insertInto('operation_types')
    .values(row)
    .onConflict((oc) => oc.column('code').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Locks the row until the transaction ends, so two admin edits apply one after the other. */
export async function lockOperationType(db: Db, code: string): Promise<OperationType | undefined> {
  return db
    .selectFrom('operation_types')
    .selectAll()
    .where('code', '=', code)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateOperationTypeRow(
  db: Db,
  code: string,
  changes: OperationTypeUpdate,
): Promise<OperationType> {
  return db
    .updateTable('operation_types')
    .set(changes)
    .where('code', '=', code)
    .returningAll()
    .executeTakeFirstOrThrow();
}
