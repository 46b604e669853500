/**
 * admin.usage.operationTypes.*: admins create, change and deactivate what the product meters.
 * Each change is audited in its own transaction. Records already written keep what they
 * cost (usage_records.credits_spent), so a new unit cost applies from the next record on; a
 * deactivated type is hidden from usage.operationTypes and refused by usage.record, and its
 * code stays taken (records name it).
 */
import type { OperationType, OperationTypeUpdate } from '@tollbooth/db';
import { type AdminAction, auditCatalogChange, differs } from '../billing/catalog/catalog-admin';
import type { Deps } from '../deps';
import { AppError } from '../errors/app-error';
import {
  insertOperationType,
  listAllOperationTypeRows,
  lockOperationType,
  type OperationTypeView,
  toOperationTypeView,
  updateOperationTypeRow,
} from './operation-types';
import type { TCreateOperationTypeInput, TUpdateOperationTypeInput } from './usage.schemas';

/** Every type, deactivated ones too, by code. */
export async function listAllOperationTypes(deps: Pick<Deps, 'db'>): Promise<OperationTypeView[]> {
  return (await listAllOperationTypeRows(deps.db)).map(toOperationTypeView);
}

export async function createOperationType(
  deps: Pick<Deps, 'db'>,
  action: AdminAction,
  input: TCreateOperationTypeInput,
): Promise<OperationTypeView> {
  const row = await deps.db.transaction().execute(async (trx) => {
    const created = await insertOperationType(trx, {
      code: input.code,
      name: input.name,
      description: input.description,
      unit_cost_credits: input.unitCostCredits,
      active: input.active,
    });
    if (!created) {
      throw new AppError('OPERATION_TYPE_CODE_TAKEN', `An operation type ${input.code} exists`, {
        fieldErrors: { code: ['is taken (codes of deactivated types too)'] },
      });
    }
    await auditCatalogChange(trx, action, 'usage.operation_type_created', typeRef(created), []);
    return created;
  });
  return toOperationTypeView(row);
}

function changesFor(row: OperationType, input: TUpdateOperationTypeInput): OperationTypeUpdate {
  const changes: OperationTypeUpdate = {};
  if (differs(input.name, row.name)) changes.name = input.name;
  if (differs(input.description, row.description)) changes.description = input.description;
  if (differs(input.unitCostCredits, row.unit_cost_credits)) {
    changes.unit_cost_credits = input.unitCostCredits;
  }
  if (differs(input.active, row.active)) changes.active = input.active;
  return changes;
}

/** Changes the fields given; no difference, no change (and no audit row). */
export async function updateOperationType(
  deps: Pick<Deps, 'db'>,
  action: AdminAction,
  input: TUpdateOperationTypeInput,
): Promise<OperationTypeView> {
  return changeOperationType(deps, action, input.code, (row) => changesFor(row, input));
}

/** Hides the type and refuses new records of it; deactivating again is a no-op. */
export async function deactivateOperationType(
  deps: Pick<Deps, 'db'>,
  action: AdminAction,
  code: string,
): Promise<OperationTypeView> {
  return changeOperationType(deps, action, code, (row) => (row.active ? { active: false } : {}));
}

async function changeOperationType(
  deps: Pick<Deps, 'db'>,
  action: AdminAction,
  code: string,
  changesOf: (row: OperationType) => OperationTypeUpdate,
): Promise<OperationTypeView> {
  const row = await deps.db.transaction().execute(async (trx) => {
    const current = await lockOperationType(trx, code);
    if (!current) {
      throw new AppError('OPERATION_TYPE_NOT_FOUND', `No operation type ${code}`, {
        fieldErrors: { code: ['names no operation type (see admin.usage.operationTypes.list)'] },
      });
    }
    const changes = changesOf(current);
    const changed = Object.keys(changes);
    if (changed.length === 0) return current;
    const updated = await updateOperationTypeRow(trx, code, changes);
    const event =
      changes.active === false
        ? 'usage.operation_type_deactivated'
        : 'usage.operation_type_updated';
    await auditCatalogChange(trx, action, event, typeRef(updated), changed);
    return updated;
  });
  return toOperationTypeView(row);
}

function typeRef(row: OperationType) {
  return { operation: row.code, unitCostCredits: row.unit_cost_credits };
}
