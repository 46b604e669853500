/**
 * Mints real NextAuth.js v4 (`next-auth/jwt`) and Auth.js v5 (`@auth/core/jwt`) session
 * tokens with the libraries' own encode(). The modules are loaded by a computed specifier on
 * purpose: their type declarations pull in Preact's JSX types, which reference the DOM lib
 * and would change `RequestInit` and friends for the whole api typecheck.
 */
export interface EncodeParams {
  token: Record<string, unknown>;
  secret: string;
  salt?: string;
  maxAge?: number;
}

type Encode = (params: EncodeParams) => Promise<string>;

function isEncode(value: unknown): value is Encode {
  return typeof value === 'function';
}

async function loadEncode(specifier: string): Promise<Encode> {
  const module: unknown = await import(specifier);
  const encode =
    typeof module === 'object' && module !== null && 'encode' in module ? module.encode : undefined;
  if (!isEncode(encode)) throw new Error(`${specifier} has no encode()`);
  return encode;
}

const NEXT_AUTH_V4 = 'next-auth/jwt';
const AUTH_JS_V5 = '@auth/core/jwt';

export const encodeV4 = (params: EncodeParams) => loadEncode(NEXT_AUTH_V4).then((e) => e(params));
export const encodeV5 = (params: EncodeParams) => loadEncode(AUTH_JS_V5).then((e) => e(params));
