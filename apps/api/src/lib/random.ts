import { randomBytes, randomInt } from 'node:crypto';

/**
 * The source of secrets (tokens, codes), passed in like the clock. Production and tests both
 * use the CSPRNG; the interface exists so a test can prove what happens with a known value
 * without reaching into the modules that draw them.
 */
export interface RandomSource {
  bytes(length: number): Buffer;
  /** A uniform integer in [0, maxExclusive) without modulo bias. */
  int(maxExclusive: number): number;
}

export const cryptoRandom: RandomSource = {
  bytes: (length) => randomBytes(length),
  int: (maxExclusive) => randomInt(maxExclusive),
};
