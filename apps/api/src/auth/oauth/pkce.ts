/**
 * PKCE's S256 (RFC 7636 §4.2), used on both legs of an OAuth sign-in.
 *
 * Security model
 * - Provider leg (we → Google / GitHub): /start draws a verifier (32 random bytes → 43
 *   base64url characters, inside RFC 7636's 43–128), sends its challenge with the
 *   authorization request and keeps the verifier in the signed state cookie; the token
 *   request proves it. An authorization code injected into another browser's callback was
 *   issued for another challenge, so the provider refuses it.
 * - App leg (our exchange code → the app): the app (the SDK) draws its own verifier, keeps it
 *   in sessionStorage and sends only its challenge to /start. The challenge rides in the
 *   state cookie and is stored, decoded to its 32 bytes, with the one-time exchange code;
 *   auth.exchangeOAuthCode must present the verifier. An attacker who completes a flow for
 *   his own account and plants the code in a victim's app (login CSRF) cannot present the
 *   verifier of the victim's flow, and his own never leaves his browser. No cookie is
 *   involved in the exchange: the app and the API may be different origins.
 * - The challenge is a SHA-256 preimage commitment: seeing it (in a URL, a log, the
 *   database) does not give the verifier. Comparison is constant-time on the digests.
 */
import { constantTimeEqual, sha256 } from '../../lib/hash';
import type { RandomSource } from '../../lib/random';

const VERIFIER_BYTES = 32;
/** base64url of a SHA-256 digest: 32 bytes → 43 characters, no padding. */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function newVerifier(random: RandomSource): string {
  return random.bytes(VERIFIER_BYTES).toString('base64url');
}

export function s256Challenge(verifier: string): string {
  return sha256(verifier).toString('base64url');
}

/** The 32 digest bytes of a well-formed S256 challenge, or null. */
export function challengeDigest(challenge: string | undefined): Buffer | null {
  return challenge !== undefined && CHALLENGE.test(challenge)
    ? Buffer.from(challenge, 'base64url')
    : null;
}

/** Whether `verifier` is the preimage of a stored challenge digest; a missing one never is. */
export function verifierMatches(verifier: string | undefined, digest: Buffer | null): boolean {
  if (verifier === undefined || digest === null) return false;
  return constantTimeEqual(sha256(verifier), digest);
}
