import { Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { compileOnlyMysql } from './compile-only.test-helper.ts';
import {
  decodeCursor,
  encodeCursor,
  InvalidCursorError,
  paginate,
  paginateUnion,
} from './pagination.ts';

interface Db {
  entries: { id: string; created_at: Date; price: number };
}

/** A Kysely that compiles MySQL and runs nothing: it records the SQL and returns no rows. */
function recordingDb() {
  const statements: { sql: string; parameters: readonly unknown[] }[] = [];
  const db = new Kysely<Db>({
    dialect: compileOnlyMysql,
    log: (event) => {
      statements.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  return { db, statements };
}

describe('cursors', () => {
  const at = new Date('2025-01-15T18:00:00.123Z');

  it('when values are encoded, then they decode to the same values, dates as dates', () => {
    const cursor = encodeCursor([at, 1999, 'a-b']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(
      decodeCursor(cursor, [{ type: 'date' }, { type: 'integer' }, { type: 'string' }]),
    ).toEqual([at, 1999, 'a-b']);
  });

  it('when a cursor is forged or of another shape, then decoding throws InvalidCursorError', () => {
    const two = [{ type: 'integer' }, { type: 'string' }] as const;
    for (const cursor of [
      'not base64 json',
      '',
      encodeCursor([1]),
      encodeCursor([1, 'a', 'b']),
      encodeCursor(['1', 'a']),
      encodeCursor([1.5, 'a']),
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('[1,"a"]').toString('base64url'),
      Buffer.from('null').toString('base64url'),
    ]) {
      expect(() => decodeCursor(cursor, two), cursor).toThrow(InvalidCursorError);
    }
  });

  it('when a date is not in the exact form cursors write, then it is refused', () => {
    for (const value of ['yesterday', '2025-01-15', '2025-01-15T18:00:00Z']) {
      expect(() => decodeCursor(encodeCursor([value]), [{ type: 'date' }])).toThrow(
        InvalidCursorError,
      );
    }
  });

  it('when a cursor was made for another scope, or none, then it is refused', () => {
    const fields = [{ type: 'integer' }] as const;
    expect(decodeCursor(encodeCursor([1], 'price_asc'), fields, 'price_asc')).toEqual([1]);
    expect(() => decodeCursor(encodeCursor([1], 'price_asc'), fields, 'price_desc')).toThrow(
      InvalidCursorError,
    );
    expect(() => decodeCursor(encodeCursor([1]), fields, 'price_asc')).toThrow(InvalidCursorError);
    expect(() => decodeCursor(encodeCursor([1], 'price_asc'), fields)).toThrow(InvalidCursorError);
  });

  it('when a field has its own rule, then values breaking it are refused', () => {
    const fields = [{ type: 'integer', accept: (n: number) => n >= 0 }] as const;
    expect(decodeCursor(encodeCursor([0]), fields)).toEqual([0]);
    expect(() => decodeCursor(encodeCursor([-1]), fields)).toThrow(InvalidCursorError);
  });
});

describe('paginate SQL', () => {
  it('when a cursor is given, then the position is the OR form, never a row constructor', async () => {
    const { db, statements } = recordingDb();
    const cursor = encodeCursor([new Date('2025-01-01T00:00:00.000Z'), 'b']);
    await paginate(db.selectFrom('entries').selectAll().where('price', '>', 0), {
      keys: [
        { column: 'created_at', direction: 'desc', type: 'date' },
        { column: 'id', direction: 'desc', type: 'string' },
      ],
      limit: 20,
      cursor,
    });
    expect(statements[0]?.sql).toBe(
      'select * from `entries` where `price` > ? and ' +
        '(`created_at` < ? or (`created_at` = ? and `id` < ?)) ' +
        'order by `created_at` desc, `id` desc limit ?',
    );
    expect(statements[0]?.parameters).toEqual([
      0,
      new Date('2025-01-01T00:00:00.000Z'),
      new Date('2025-01-01T00:00:00.000Z'),
      'b',
      21,
    ]);
  });

  it('when keys are an expression and mixed directions, then each compares its own way', async () => {
    const { db, statements } = recordingDb();
    const score = sql<number>`price * 2`;
    await paginate(db.selectFrom('entries').selectAll().select(score.as('score')), {
      keys: [
        { expression: score, value: (row) => row.score, direction: 'desc', type: 'integer' },
        { column: 'id', direction: 'asc', type: 'string' },
      ],
      limit: 5,
      cursor: encodeCursor([10, 'a']),
    });
    expect(statements[0]?.sql).toBe(
      'select *, price * 2 as `score` from `entries` where ' +
        '(price * 2 < ? or (price * 2 = ? and `id` > ?)) order by price * 2 desc, `id` asc limit ?',
    );
  });

  it('when there is no cursor, then the first page is ordered and limited only', async () => {
    const { db, statements } = recordingDb();
    const page = await paginate(db.selectFrom('entries').selectAll(), {
      keys: [{ column: 'id', direction: 'asc', type: 'string' }],
      limit: 3,
    });
    expect(page).toEqual({ items: [], nextCursor: null });
    expect(statements[0]?.sql).toBe('select * from `entries` order by `id` asc limit ?');
  });

  it('when the cursor is malformed, then it throws before any SQL runs', async () => {
    const { db, statements } = recordingDb();
    await expect(
      paginate(db.selectFrom('entries').selectAll(), {
        keys: [{ column: 'id', direction: 'asc', type: 'string' }],
        limit: 3,
        cursor: 'junk',
      }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    expect(statements).toEqual([]);
  });
});

describe('paginateUnion SQL', () => {
  it('when there are several branches, then each is positioned, ordered and limited, then merged', async () => {
    const { db, statements } = recordingDb();
    const branch = (price: number) =>
      db.selectFrom('entries').selectAll().where('price', '=', price);
    await paginateUnion(db, [branch(1), branch(2)], {
      keys: [
        { column: 'created_at', direction: 'desc', type: 'date' },
        { column: 'id', direction: 'desc', type: 'string' },
      ],
      limit: 20,
      cursor: encodeCursor([new Date('2025-01-01T00:00:00.000Z'), 'b']),
    });
    const part = () =>
      `(select * from \`entries\` where \`price\` = ? and ` +
      '(`created_at` < ? or (`created_at` = ? and `id` < ?)) ' +
      'order by `created_at` desc, `id` desc limit ?)';
    expect(statements[0]?.sql.replace(/\s+/g, ' ').trim()).toBe(
      `SELECT * FROM (${part()} UNION ALL ${part()}) AS branches ` +
        'ORDER BY `created_at` desc, `id` desc LIMIT ?',
    );
  });

  it('when there is one branch, then it is a plain page', async () => {
    const { db, statements } = recordingDb();
    await paginateUnion(db, [db.selectFrom('entries').selectAll()], {
      keys: [{ column: 'id', direction: 'asc', type: 'string' }],
      limit: 3,
    });
    expect(statements[0]?.sql).toBe('select * from `entries` order by `id` asc limit ?');
  });

  it('when there are no branches, then the page is empty and no SQL runs', async () => {
    const { db, statements } = recordingDb();
    const entries = db.selectFrom('entries').selectAll();
    const page = await paginateUnion(db, [entries].slice(1), {
      keys: [{ column: 'id', direction: 'asc', type: 'string' }],
      limit: 3,
    });
    expect(page).toEqual({ items: [], nextCursor: null });
    expect(statements).toHaveLength(0);
  });
});
