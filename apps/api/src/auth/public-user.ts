import type { User } from '@tollbooth/db';

/** What clients see of an account: never the password hash or internal status fields. */
export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
  imageUrl: string | null;
  role: 'user' | 'admin';
  emailVerified: boolean;
  /** ISO 8601. */
  createdAt: string;
}

export function toPublicUser(user: User): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    imageUrl: user.image_url,
    role: user.role,
    emailVerified: user.email_verified_at !== null,
    createdAt: user.created_at.toISOString(),
  };
}
