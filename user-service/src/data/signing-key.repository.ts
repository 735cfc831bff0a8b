import type { Kysely } from 'kysely';
import type { JWK } from '@marketplace/jwt';
import type { DB } from './schema.ts';

/**
 * The public keys of the former key table (migration 0006 dropped its private keys) that still
 * verify tokens they signed before the upgrade.
 */
export async function listLegacyPublicKeys(
  db: Kysely<DB>,
  now: Date,
): Promise<{ publicJwk: JWK; until: Date }[]> {
  const rows = await db
    .selectFrom('signing_keys')
    .select(['public_jwk', 'retired_at'])
    .where('retired_at', '>', now)
    .execute();
  return rows.flatMap((row) =>
    row.retired_at ? [{ publicJwk: JSON.parse(row.public_jwk) as JWK, until: row.retired_at }] : [],
  );
}
