/**
 * The `Database` the rest of the code types its queries with. The table interfaces are
 * generated from the migrations (schema.generated.ts, checked by `pnpm db:codegen --verify`
 * and by test/schema.drift.test.ts); this file only names them.
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { AuditLog, DB } from './schema.generated';

export type { AuditStatus, Json, JsonValue, UserRole, UserStatus } from './schema.generated';

export type Database = DB;

export type User = Selectable<DB['users']>;
export type NewUser = Insertable<DB['users']>;
export type UserUpdate = Updateable<DB['users']>;

export type AuditEntry = Selectable<AuditLog>;
export type NewAuditEntry = Insertable<AuditLog>;
