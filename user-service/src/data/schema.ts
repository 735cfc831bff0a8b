import type { Generated, GeneratedAlways } from 'kysely';
import type { Language, Role } from '@marketplace/contracts';

export interface UsersTable {
  id: string;
  /** Stored trimmed and lower-cased; unique. */
  email: string;
  password_hash: string;
  name: string;
  role: Role;
  phone: string | null;
  /** JSON of the domain's Address. */
  address: string | null;
  /** Defaults to 'en' (migration 0007). */
  language: Generated<Language>;
  /** TINYINT(1): 0 or 1. */
  blocked: number;
  created_at: Date;
  updated_at: Date;
}

export interface RefreshTokensTable {
  /** Hex SHA-256 of the token; the token itself is never stored. */
  token_hash: string;
  family_id: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
  /** Set when the token was exchanged for a new pair. */
  spent_at: Date | null;
  /** Set when its family was revoked (logout, reuse, password change, block). */
  revoked_at: Date | null;
  /** Generated: the earliest of expires_at, spent_at and revoked_at (see the sweep). */
  usable_until: GeneratedAlways<Date>;
}

/**
 * The public keys of the keys user-service once generated into its database (before 0006); they
 * verify the tokens they signed until `retired_at`. Signing keys now come from configuration.
 */
export interface SigningKeysTable {
  kid: string;
  generation: number;
  public_jwk: string;
  created_at: Date;
  retired_at: Date | null;
}

export interface DB {
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  signing_keys: SigningKeysTable;
}
