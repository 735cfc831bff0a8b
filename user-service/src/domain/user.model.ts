import type { Role } from '@marketplace/contracts';

/** A postal address kept on the profile, shaped like an order's shipping address minus the name. */
export interface Address {
  line1: string;
  line2?: string;
  city: string;
  postalCode: string;
  country: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  phone: string | null;
  address: Address | null;
  blocked: boolean;
  createdAt: Date;
}

/** A user with the secret only the auth use cases may see. */
export interface UserWithSecret extends User {
  passwordHash: string;
}

/** The user as every API answer shows it: never the password hash. */
export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  phone: string | null;
  address: Address | null;
  blocked: boolean;
  createdAt: string;
}

export function toPublicUser(user: User): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    phone: user.phone,
    address: user.address,
    blocked: user.blocked,
    createdAt: user.createdAt.toISOString(),
  };
}

/** E-mails compare case-insensitively: they are stored and looked up in this form. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface ProfileChanges {
  name?: string;
  phone?: string | null;
  address?: Address | null;
}

export interface AdminChanges {
  role?: Role;
  blocked?: boolean;
}

export interface AuthSession {
  user: PublicUser;
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}
