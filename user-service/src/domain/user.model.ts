import type { Address, Language, Role, User as PublicUser } from '@marketplace/contracts';

/** An account as the domain holds it; answers show it as the contract's `User` (PublicUser). */
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  phone: string | null;
  address: Address | null;
  language: Language;
  blocked: boolean;
  createdAt: Date;
}

/** A user with the secret only the auth use cases may see. */
export interface UserWithSecret extends User {
  passwordHash: string;
}

export type { PublicUser };

/** The user as every API answer shows it: never the password hash. */
export function toPublicUser(user: User): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    phone: user.phone,
    address: user.address,
    language: user.language,
    blocked: user.blocked,
    createdAt: user.createdAt.toISOString(),
  };
}

/** E-mails compare case-insensitively: they are stored and looked up in this form. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
