/**
 * The common-password check (NIST 800-63B 5.1.1.2: refuse passwords "obtained from previous
 * breach corpuses").
 *
 * Security model
 * - Online guessing starts with the most common passwords: with the per-account limit of
 *   rate-limit/rules.ts an attacker gets a few dozen guesses a day per account, and the top of
 *   a breach list is exactly what those guesses are. Refusing the 10,000 most common closes
 *   that door; the length floor (8) alone lets `password1` and `12345678` through.
 * - The list is SecLists' top 10,000 of the ten-million-password corpus, shipped beside this
 *   file (common-passwords.txt, its header names the source and licence). Compared
 *   case-insensitively, so `Password1` counts as `password1`. 10,000 entries stay a small,
 *   fixed Set (about 80 KB of text); a breach API (HIBP) would be broader but sends a hash
 *   prefix of every new password to a third party on every sign-up, which this server does
 *   not do by default.
 * - Checked at the edge, in the input schema of register, resetPassword and changePassword,
 *   before any argon2 work: a refused password costs no hash.
 */
import { readFileSync } from 'node:fs';

/** The field message; one wording everywhere. */
export const COMMON_PASSWORD_MESSAGE = 'is one of the most common passwords; choose another';

/**
 * Read once, when this module loads (server start), so a build that lost the file fails at
 * start, not at the first sign-up. The bundled build copies it beside the bundle (tsup.config.ts).
 */
const COMMON_PASSWORDS: ReadonlySet<string> = parseList(
  readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8'),
);

/** Header lines (`# …`) and the empty line after them, then one password per line. */
function parseList(text: string): Set<string> {
  const lines = text.split('\n');
  let first = 0;
  while (lines[first]?.startsWith('# ')) first += 1;
  return new Set(
    lines
      .slice(first)
      .filter((line) => line !== '')
      .map((line) => line.toLowerCase()),
  );
}

export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}
