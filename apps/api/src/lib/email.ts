/**
 * Emails are compared case-insensitively and stored trimmed and lower-cased; this is the one
 * place that decides how (accounts, secrets, rate-limit subjects, ADMIN_EMAILS).
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
