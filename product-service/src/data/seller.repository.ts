import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

/** The name user-service last announced for `sellerId`, if it ever did. */
export async function findSellerName(
  db: Kysely<DB>,
  sellerId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('sellers')
    .select('name')
    .where('seller_id', '=', sellerId)
    .executeTakeFirst();
  return row?.name;
}

/**
 * Keeps `name` as the seller's unless a newer one is known (events may arrive out of order);
 * returns the name now on record. Run in a transaction: the row stays locked until its end.
 */
export async function recordSellerName(
  trx: Kysely<DB>,
  sellerId: string,
  name: string,
  renamedAt: Date,
): Promise<string> {
  const known = await trx
    .selectFrom('sellers')
    .select(['name', 'renamed_at'])
    .where('seller_id', '=', sellerId)
    .forUpdate()
    .executeTakeFirst();
  if (!known) {
    // Two first events of one seller at once: one insert fails, and its event is retried.
    await trx
      .insertInto('sellers')
      .values({ seller_id: sellerId, name, renamed_at: renamedAt })
      .execute();
    return name;
  }
  if (known.renamed_at > renamedAt) return known.name;
  await trx
    .updateTable('sellers')
    .set({ name, renamed_at: renamedAt })
    .where('seller_id', '=', sellerId)
    .execute();
  return name;
}

/**
 * What a seller's public page shows: the name on record (else on their listings) and since when
 * they sell (their registration, else their first listing). Undefined for nobody known.
 */
export async function findSeller(
  db: Kysely<DB>,
  sellerId: string,
): Promise<{ name: string; memberSince: Date | null } | undefined> {
  const record = await db
    .selectFrom('sellers')
    .select(['name', 'registered_at'])
    .where('seller_id', '=', sellerId)
    .executeTakeFirst();
  const listings = await db
    .selectFrom('products')
    .select((eb) => [eb.fn.min('created_at').as('first'), eb.fn.max('seller_name').as('name')])
    .where('seller_id', '=', sellerId)
    .executeTakeFirst();
  const first = listings?.first ? new Date(listings.first) : null;
  if (!record && !first) return undefined;
  return {
    name: record?.name ?? listings?.name ?? '',
    memberSince: record?.registered_at ?? first,
  };
}

/** A new account: its registration time, and its name unless a newer one is on record. */
export async function recordRegistration(
  trx: Kysely<DB>,
  sellerId: string,
  name: string,
  registeredAt: Date,
): Promise<void> {
  await trx
    .insertInto('sellers')
    .values({ seller_id: sellerId, name, renamed_at: registeredAt, registered_at: registeredAt })
    .onDuplicateKeyUpdate({ registered_at: registeredAt })
    .execute();
}
