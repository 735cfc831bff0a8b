import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { createTestDatabase, TEST_MYSQL_URL } from '@marketplace/testing';
import {
  createDb,
  encodeCursor,
  InvalidCursorError,
  paginate,
  type KeysetPage,
  type PageKey,
} from '../src/index.ts';

interface Db {
  entries: { id: string; created_at: Date; price: number };
}

type Entry = Db['entries'];
type Keys = readonly PageKey<Db, 'entries', Entry>[];

const NEWEST: Keys = [
  { column: 'created_at', direction: 'desc', type: 'date' },
  { column: 'id', direction: 'desc', type: 'string' },
];
const CHEAPEST: Keys = [
  { column: 'price', direction: 'asc', type: 'integer' },
  { column: 'id', direction: 'asc', type: 'string' },
];

const BASE = Date.parse('2025-03-01T12:00:00.000Z');

describe('paginate against MariaDB', () => {
  let database: { name: string; drop: () => Promise<void> };
  let db: Kysely<Db>;

  /** Every id in `keys` order, by a plain ORDER BY: what walking the pages must give. */
  async function reference(order: 'newest' | 'cheapest'): Promise<string[]> {
    const rows =
      order === 'newest'
        ? await db
            .selectFrom('entries')
            .select('id')
            .orderBy('created_at', 'desc')
            .orderBy('id', 'desc')
            .execute()
        : await db
            .selectFrom('entries')
            .select('id')
            .orderBy('price', 'asc')
            .orderBy('id', 'asc')
            .execute();
    return rows.map((r) => r.id);
  }

  function page(keys: Keys, limit: number, cursor?: string, scope?: string) {
    return paginate(db.selectFrom('entries').selectAll(), { keys, limit, cursor, scope });
  }

  async function walk(keys: Keys, limit: number, from?: string): Promise<Entry[]> {
    const seen: Entry[] = [];
    let cursor = from;
    for (let pages = 0; pages < 100; pages++) {
      const next: KeysetPage<Entry> = await page(keys, limit, cursor);
      seen.push(...next.items);
      if (next.nextCursor === null) return seen;
      expect(next.items).toHaveLength(limit);
      cursor = next.nextCursor;
    }
    throw new Error('the walk never ended');
  }

  async function insert(count: number, at: (i: number) => number, price: (i: number) => number) {
    const rows = Array.from({ length: count }, (_, i) => ({
      id: randomUUID(),
      created_at: new Date(at(i)),
      price: price(i),
    }));
    await db.insertInto('entries').values(rows).execute();
    return rows;
  }

  beforeAll(async () => {
    database = await createTestDatabase('paginate');
    db = createDb<Db>({ url: TEST_MYSQL_URL, database: database.name });
    await sql`CREATE TABLE entries (
        id CHAR(36) PRIMARY KEY,
        created_at DATETIME(3) NOT NULL,
        price INT UNSIGNED NOT NULL,
        KEY entries_created (created_at, id),
        KEY entries_price (price, id)
      ) ENGINE=InnoDB`.execute(db);
    // 23 rows on 4 instants and 5 prices: most neighbours tie on the first key.
    await insert(
      23,
      (i) => BASE + (i % 4) * 1000 + (i % 2 === 0 ? 0 : 1),
      (i) => (i % 5) * 100,
    );
  });

  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('when newest-first pages are walked, then every row comes once, in order, despite ties', async () => {
    const walked = await walk(NEWEST, 4);
    expect(walked.map((r) => r.id)).toEqual(await reference('newest'));
    expect(walked[0]?.created_at).toBeInstanceOf(Date);
  });

  it('when ascending pages are walked, then every row comes once, in order, despite ties', async () => {
    for (const limit of [1, 3, 5, 100]) {
      const walked = await walk(CHEAPEST, limit);
      expect(walked.map((r) => r.id)).toEqual(await reference('cheapest'));
    }
  });

  it('when the last page is full, then its nextCursor is null, and no empty page follows', async () => {
    const total = (await reference('newest')).length;
    const whole = await page(NEWEST, total);
    expect(whole.items).toHaveLength(total);
    expect(whole.nextCursor).toBeNull();

    const first = await page(NEWEST, total - 1);
    expect(first.nextCursor).not.toBeNull();
    const last = await page(NEWEST, 1, first.nextCursor ?? undefined);
    expect(last.items).toHaveLength(1);
    expect(last.nextCursor).toBeNull();
  });

  it('when a page ends inside a run of equal first keys, then the next page resumes by id', async () => {
    const order = await reference('cheapest');
    const first = await page(CHEAPEST, 2);
    const [a, b] = first.items;
    expect(a?.price).toBe(b?.price);
    const second = await page(CHEAPEST, 2, first.nextCursor ?? undefined);
    expect(second.items.map((r) => r.id)).toEqual(order.slice(2, 4));
  });

  it('when the cursor is malformed, of other keys or of another scope, then InvalidCursorError', async () => {
    const scoped = await page(CHEAPEST, 2, undefined, 'price_asc');
    for (const [keys, cursor, scope] of [
      [NEWEST, 'junk', undefined],
      [NEWEST, encodeCursor([5, 'x']), undefined],
      [CHEAPEST, encodeCursor([new Date(), 'x']), undefined],
      [CHEAPEST, encodeCursor([5]), undefined],
      [CHEAPEST, scoped.nextCursor ?? '', 'price_desc'],
      [CHEAPEST, scoped.nextCursor ?? '', undefined],
    ] as const) {
      await expect(page(keys, 2, cursor, scope)).rejects.toBeInstanceOf(InvalidCursorError);
    }
    const resumed = await page(CHEAPEST, 2, scoped.nextCursor ?? undefined, 'price_asc');
    expect(resumed.items).toHaveLength(2);
  });

  it('when rows are inserted between pages, then the walk neither repeats nor skips a row', async () => {
    const before = await reference('newest');
    const first = await page(NEWEST, 5);
    const fifth = first.items.at(-1);
    if (!fifth) throw new Error('no first page');
    // Newer than the position (they belong before it), at its very instant, and older (after it).
    const added = await insert(
      6,
      (i) => [BASE + 10_000, fifth.created_at.getTime(), BASE - 10_000][i % 3] ?? BASE,
      () => 1,
    );
    const rest = await walk(NEWEST, 5, first.nextCursor ?? undefined);
    const seen = [...first.items, ...rest].map((r) => r.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => before.includes(id))).toEqual(before);
    const newer = added.filter((r) => r.created_at.getTime() > fifth.created_at.getTime());
    const older = added.filter((r) => r.created_at.getTime() < fifth.created_at.getTime());
    for (const row of newer) expect(seen).not.toContain(row.id);
    for (const row of older) expect(seen).toContain(row.id);
    // At the very instant, the id decides: only rows after the position (lower ids) come.
    for (const row of added.filter((r) => r.created_at.getTime() === fifth.created_at.getTime())) {
      expect(seen.includes(row.id)).toBe(row.id < fifth.id);
    }
    await db
      .deleteFrom('entries')
      .where(
        'id',
        'in',
        added.map((r) => r.id),
      )
      .execute();
  });

  it('when the first key is a computed expression, then it pages by it and its cursor round-trips', async () => {
    const band = sql<number>`price DIV 200`;
    const keys: readonly PageKey<Db, 'entries', Entry & { band: number }>[] = [
      { expression: band, value: (row) => row.band, direction: 'desc', type: 'integer' },
      { column: 'id', direction: 'asc', type: 'string' },
    ];
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const next = await paginate(db.selectFrom('entries').selectAll().select(band.as('band')), {
        keys,
        limit: 4,
        cursor,
      });
      seen.push(...next.items.map((r) => `${r.band}:${r.id}`));
      cursor = next.nextCursor ?? undefined;
    } while (cursor);
    const rows = await db
      .selectFrom('entries')
      .select(['id', band.as('band')])
      .orderBy(band, 'desc')
      .orderBy('id', 'asc')
      .execute();
    expect(seen).toEqual(rows.map((r) => `${r.band}:${r.id}`));
  });
});
