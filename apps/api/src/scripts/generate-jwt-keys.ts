/**
 * `pnpm auth:keygen`: prints a new Ed25519 private key as a JWK set for JWT_PRIVATE_KEYS.
 * To rotate, put the new key first in the existing set ({"keys":[new, old]}) and drop the
 * old one 15 minutes (one access-token lifetime) after deploying.
 */
import { generateJwks } from '../auth/tokens/signing-keys';

console.log(generateJwks());
