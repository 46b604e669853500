export type { AppRouter, RouterInputs, RouterOutputs } from '@tollbooth/api/types';
export {
  createTollboothClient,
  type FetchLike,
  type TollboothClient,
  type TollboothClientOptions,
} from './client';
export { type AppCode, isTollboothError, type TollboothError } from './errors';
export {
  type CompleteOAuthSignInOptions,
  completeOAuthSignIn,
  type OAuthProviderId,
  type StartOAuthSignInOptions,
  startOAuthSignIn,
} from './oauth';
export { createTollboothServerClient, type TollboothServerClientOptions } from './server-client';
export {
  cookieTokenStore,
  type LocalStorageTokenStoreOptions,
  localStorageTokenStore,
  memoryTokenStore,
  type StorageLike,
  type StoredTokens,
  type TokenStore,
} from './token-store';
