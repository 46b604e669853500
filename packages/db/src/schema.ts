/**
 * The `Database` the rest of the code types its queries with. The table interfaces are
 * generated from the migrations (schema.generated.ts, checked by `pnpm db:codegen --verify`
 * and by test/schema.drift.test.ts); this file only names them.
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type {
  ApiKeys,
  AuditLog,
  CreditBalances,
  CreditLedger,
  CreditPackPurchases,
  CreditPacks,
  DB,
  DomainEvents,
  Invoices,
  OauthAccounts,
  OneTimeSecrets,
  OperationTypes,
  PendingRegistrations,
  PlanPrices,
  Plans,
  RefreshTokens,
  Refunds,
  Sessions,
  StripeEvents,
  Subscriptions,
  UsageCounters,
  UsageRecords,
} from './schema.generated';

export type {
  AuditStatus,
  CreditEntryKind,
  InvoiceStatus,
  Json,
  JsonValue,
  OneTimeSecretPurpose,
  PlanInterval,
  PlanOverageMode,
  PlanSyncState,
  StripeEventStatus,
  SubscriptionStatus,
  UsageOutcome,
  UserRole,
  UserStatus,
} from './schema.generated';

export type Database = DB;

export type User = Selectable<DB['users']>;
export type NewUser = Insertable<DB['users']>;
export type UserUpdate = Updateable<DB['users']>;

export type AuditEntry = Selectable<AuditLog>;
export type NewAuditEntry = Insertable<AuditLog>;

export type Session = Selectable<Sessions>;
export type NewSession = Insertable<Sessions>;

export type RefreshToken = Selectable<RefreshTokens>;
export type NewRefreshToken = Insertable<RefreshTokens>;

export type OneTimeSecret = Selectable<OneTimeSecrets>;
export type NewOneTimeSecret = Insertable<OneTimeSecrets>;

export type OAuthAccount = Selectable<OauthAccounts>;
export type NewOAuthAccount = Insertable<OauthAccounts>;

export type PendingRegistration = Selectable<PendingRegistrations>;
export type NewPendingRegistration = Insertable<PendingRegistrations>;

export type Plan = Selectable<Plans>;
export type NewPlan = Insertable<Plans>;
export type PlanUpdate = Updateable<Plans>;

export type PlanPrice = Selectable<PlanPrices>;
export type NewPlanPrice = Insertable<PlanPrices>;

export type StripeEvent = Selectable<StripeEvents>;
export type NewStripeEvent = Insertable<StripeEvents>;

export type Subscription = Selectable<Subscriptions>;
export type NewSubscription = Insertable<Subscriptions>;
export type SubscriptionUpdate = Updateable<Subscriptions>;

export type Invoice = Selectable<Invoices>;
export type NewInvoice = Insertable<Invoices>;

export type Refund = Selectable<Refunds>;
export type NewRefund = Insertable<Refunds>;

export type DomainEvent = Selectable<DomainEvents>;
export type NewDomainEvent = Insertable<DomainEvents>;

export type ApiKey = Selectable<ApiKeys>;
export type NewApiKey = Insertable<ApiKeys>;

export type CreditBalance = Selectable<CreditBalances>;

export type CreditEntry = Selectable<CreditLedger>;
export type NewCreditEntry = Insertable<CreditLedger>;

export type CreditPack = Selectable<CreditPacks>;
export type NewCreditPack = Insertable<CreditPacks>;
export type CreditPackUpdate = Updateable<CreditPacks>;

export type CreditPackPurchase = Selectable<CreditPackPurchases>;
export type NewCreditPackPurchase = Insertable<CreditPackPurchases>;

export type OperationType = Selectable<OperationTypes>;
export type NewOperationType = Insertable<OperationTypes>;
export type OperationTypeUpdate = Updateable<OperationTypes>;

export type UsageCounter = Selectable<UsageCounters>;

export type UsageRecord = Selectable<UsageRecords>;
export type NewUsageRecord = Insertable<UsageRecords>;
