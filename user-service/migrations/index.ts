import { sqlMigration, type Migrations } from '@marketplace/db';
import { outboxLeaseMigration, outboxMigration } from '@marketplace/events';

export const migrations: Migrations = {
  '0001_users': sqlMigration({
    // (created_at, id) serves the admin's newest-first keyset list; the role variant, its filter.
    up: [
      `
        CREATE TABLE users (
          id CHAR(36) NOT NULL PRIMARY KEY,
          email VARCHAR(254) NOT NULL,
          password_hash VARCHAR(255) NOT NULL,
          name VARCHAR(100) NOT NULL,
          role ENUM('buyer', 'seller', 'admin') NOT NULL,
          phone VARCHAR(32) NULL,
          address TEXT NULL,
          blocked TINYINT(1) NOT NULL DEFAULT 0,
          created_at DATETIME(3) NOT NULL,
          updated_at DATETIME(3) NOT NULL,
          UNIQUE KEY users_email (email),
          KEY users_created (created_at, id),
          KEY users_role_created (role, created_at, id)
        ) ENGINE=InnoDB`,
    ],
    down: [`DROP TABLE users`],
  }),
  '0002_refresh_tokens': sqlMigration({
    up: [
      `
        CREATE TABLE refresh_tokens (
          token_hash CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
          family_id CHAR(36) NOT NULL,
          user_id CHAR(36) NOT NULL,
          created_at DATETIME(3) NOT NULL,
          expires_at DATETIME(3) NOT NULL,
          spent_at DATETIME(3) NULL,
          revoked_at DATETIME(3) NULL,
          KEY refresh_tokens_family (family_id),
          KEY refresh_tokens_user (user_id),
          KEY refresh_tokens_expires (expires_at),
          CONSTRAINT refresh_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
            ON DELETE CASCADE
        ) ENGINE=InnoDB`,
    ],
    down: [`DROP TABLE refresh_tokens`],
  }),
  '0003_signing_keys': sqlMigration({
    up: [
      `
        CREATE TABLE signing_keys (
          kid VARCHAR(64) NOT NULL PRIMARY KEY,
          generation INT UNSIGNED NOT NULL,
          private_jwk TEXT NOT NULL,
          public_jwk TEXT NOT NULL,
          created_at DATETIME(3) NOT NULL,
          retired_at DATETIME(3) NULL,
          UNIQUE KEY signing_keys_generation (generation)
        ) ENGINE=InnoDB`,
    ],
    down: [`DROP TABLE signing_keys`],
  }),
  '0004_outbox': outboxMigration,
  '0005_refresh_token_sweep': sqlMigration({
    // usable_until: when the token stopped (or will stop) being accepted. The sweep walks
    // (usable_until, family_id) oldest first without touching rows, and reads a family's last
    // usable moment from (family_id, usable_until); that key also serves the family
    // revocations, so it replaces the family-only key, and the unused expires_at key goes.
    // STORED, the form both MySQL and MariaDB index.
    up: [
      `
        ALTER TABLE refresh_tokens
          ADD COLUMN usable_until DATETIME(3) GENERATED ALWAYS AS (
            LEAST(expires_at, COALESCE(spent_at, expires_at), COALESCE(revoked_at, expires_at))
          ) STORED,
          ADD KEY refresh_tokens_usable_until (usable_until, family_id),
          ADD KEY refresh_tokens_family_usable (family_id, usable_until),
          DROP KEY refresh_tokens_family,
          DROP KEY refresh_tokens_expires`,
    ],
    down: [
      `
        ALTER TABLE refresh_tokens
          ADD KEY refresh_tokens_family (family_id),
          ADD KEY refresh_tokens_expires (expires_at),
          DROP KEY refresh_tokens_family_usable,
          DROP KEY refresh_tokens_usable_until,
          DROP COLUMN usable_until`,
    ],
  }),
  '0006_signing_keys_public_only': sqlMigration({
    // Signing keys come from configuration now: no private key stays in the database. The public
    // keys verify the tokens they signed before the upgrade until the longest token lifetime (15
    // minutes) plus a minute of skew is over; then the JWKS stops listing them.
    up: [
      `UPDATE signing_keys SET retired_at = NOW(3) + INTERVAL 960 SECOND
         WHERE retired_at IS NULL OR retired_at > NOW(3) + INTERVAL 960 SECOND`,
      `ALTER TABLE signing_keys DROP COLUMN private_jwk`,
    ],
    // The private keys are gone for good; a rollback gets a column old code can read but no key.
    down: [`ALTER TABLE signing_keys ADD COLUMN private_jwk TEXT NULL`],
  }),
  // The profile's language (e-mails and the SPA); (blocked, created_at, id) serves the admin's
  // list of blocked (or unblocked) accounts, newest first, as users_role_created serves role.
  '0007_profile_language': sqlMigration({
    up: [
      `
        ALTER TABLE users
          ADD COLUMN language ENUM('en', 'ru') NOT NULL DEFAULT 'en' AFTER address,
          ADD KEY users_blocked_created (blocked, created_at, id)`,
    ],
    down: [
      `
        ALTER TABLE users
          DROP KEY users_blocked_created,
          DROP COLUMN language`,
    ],
  }),
  // One relay publishes at a time (libs/events relay.ts).
  '0008_outbox_lease': outboxLeaseMigration,
};
