import { z } from 'zod';
import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from './passwords/common-passwords';
import {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordPolicyViolation,
} from './passwords/passwords';

/** Free text that is stored: PostgreSQL text cannot hold NUL, so refuse it at the edge. */
const ZStoredText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((value) => !value.includes('\u0000'), { error: 'must not contain NUL characters' });

export const ZEmail = z
  .string()
  .trim()
  .max(320, { error: 'must be at most 320 characters' })
  .pipe(z.email({ error: 'must be a valid email address' }));

/** A password being set (register, reset, change): today's policy, before any argon2 work. */
export const ZPassword = z
  .string()
  .min(PASSWORD_MIN_LENGTH, { error: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
  .max(PASSWORD_MAX_LENGTH, { error: `must be at most ${PASSWORD_MAX_LENGTH} characters` })
  .refine((password) => !isCommonPassword(password), { error: COMMON_PASSWORD_MESSAGE });

/** Checking a password someone already has: bounded, but not held to today's policy. */
const ZPresentedPassword = z.string().min(1).max(PASSWORD_MAX_LENGTH);

/** Link tokens and refresh tokens are `<uuid>.<43 chars>`; anything much longer is noise. */
const ZToken = z.string().min(1).max(200);

/** Ask for the refresh token in an HttpOnly cookie instead of the response body. */
const ZCookieMode = z.boolean().optional();

export const ZRegisterInput = z
  .object({
    email: ZEmail,
    password: ZPassword,
    name: ZStoredText(200).optional(),
    cookie: ZCookieMode,
  })
  .superRefine((input, ctx) => {
    const violation = passwordPolicyViolation(input.password, input.email);
    if (violation) ctx.addIssue({ code: 'custom', path: ['password'], message: violation });
  });

export const ZLoginInput = z.object({
  email: ZEmail,
  password: ZPresentedPassword,
  cookie: ZCookieMode,
});

export const ZRefreshInput = z
  .object({
    /** Omit to use the refresh cookie (cookie mode). */
    refreshToken: ZToken.optional(),
    cookie: ZCookieMode,
  })
  .optional();

export const ZUpdateProfileInput = z.object({
  name: ZStoredText(200).nullable().optional(),
  imageUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(2048)
    .nullable()
    .optional(),
});

export const ZChangePasswordInput = z.object({
  currentPassword: ZPresentedPassword,
  newPassword: ZPassword,
});

export const ZDeactivateInput = z.object({ password: ZPresentedPassword });

export const ZEmailInput = z.object({ email: ZEmail });

/** `password`: for a verify-first registration's link, the one chosen at sign-up. */
export const ZVerifyEmailInput = z.object({
  token: ZToken,
  password: ZPresentedPassword.optional(),
});

export const ZResetPasswordInput = z.object({ token: ZToken, newPassword: ZPassword });

export const ZLoginWithCodeInput = z.object({
  email: ZEmail,
  code: z.string().regex(/^\d{6}$/, { error: 'must be the 6-digit code from the email' }),
  cookie: ZCookieMode,
});

export const ZLoginWithMagicLinkInput = z.object({ token: ZToken, cookie: ZCookieMode });

export const ZRevokeSessionsInput = z.union([
  z.object({ sessionId: z.uuid() }),
  z.object({ allButCurrent: z.literal(true) }),
]);

export const ZExchangeOAuthCodeInput = z.object({
  code: ZToken,
  /**
   * The verifier whose S256 challenge the app sent to /start. Optional here on purpose: a
   * missing one is refused by the service, which also burns the code.
   */
  verifier: z.string().max(128, 'A verifier has at most 128 characters').optional(),
  cookie: ZCookieMode,
});
