import type { Kysely } from 'kysely';
import type { JWK } from '@marketplace/jwt';
import type { DB } from './schema.ts';

export interface StoredSigningKey {
  kid: string;
  generation: number;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** Every key not retired, newest generation first. */
export async function listActiveKeys(db: Kysely<DB>): Promise<StoredSigningKey[]> {
  const rows = await db
    .selectFrom('signing_keys')
    .selectAll()
    .where('retired_at', 'is', null)
    .orderBy('generation', 'desc')
    .execute();
  return rows.map((row) => ({
    kid: row.kid,
    generation: row.generation,
    privateJwk: JSON.parse(row.private_jwk) as JWK,
    publicJwk: JSON.parse(row.public_jwk) as JWK,
  }));
}

/** Throws a duplicate-key error when another instance stored this generation first. */
export async function insertKey(db: Kysely<DB>, key: StoredSigningKey): Promise<void> {
  await db
    .insertInto('signing_keys')
    .values({
      kid: key.kid,
      generation: key.generation,
      private_jwk: JSON.stringify(key.privateJwk),
      public_jwk: JSON.stringify(key.publicJwk),
      created_at: new Date(),
      retired_at: null,
    })
    .execute();
}

/** The highest generation ever stored, retired ones included; 0 when there is none. */
export async function maxGeneration(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('signing_keys')
    .select((eb) => eb.fn.max('generation').as('max'))
    .executeTakeFirst();
  return Number(row?.max ?? 0);
}
