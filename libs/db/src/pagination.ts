import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type SelectQueryBuilder,
  type SqlBool,
  type StringReference,
} from 'kysely';

/** A value a cursor holds: one per key of the ordering. */
export type CursorValue = Date | string | number;

/**
 * How one value of a cursor is read back: its type, and optionally a narrower rule (a UUID, a
 * price that cannot be negative). Dates travel as canonical ISO strings and come back as Dates.
 */
export type CursorField =
  | { type: 'date'; accept?: (value: Date) => boolean }
  | { type: 'string'; accept?: (value: string) => boolean }
  | { type: 'integer'; accept?: (value: number) => boolean };

/** A cursor this code did not give out, or gave out for another ordering (`scope`). */
export class InvalidCursorError extends Error {
  constructor() {
    super('malformed cursor');
    this.name = 'InvalidCursorError';
  }
}

interface CursorPayload {
  /** The scope, when the cursor is bound to one. */
  s?: string;
  /** The key values of the last row of the page. */
  k: (string | number)[];
}

/** The one cursor format: base64url JSON `{"k": [values], "s": scope}`. Opaque to clients. */
export function encodeCursor(values: readonly CursorValue[], scope?: string): string {
  const payload: CursorPayload = {
    ...(scope === undefined ? {} : { s: scope }),
    k: values.map((value) => (value instanceof Date ? value.toISOString() : value)),
  };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/**
 * The values inside `cursor`, typed by `fields`; throws InvalidCursorError when it is not a
 * cursor of that shape and scope. Cursors come from clients: nothing in them is trusted.
 */
export function decodeCursor(
  cursor: string,
  fields: readonly CursorField[],
  scope?: string,
): CursorValue[] {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof payload !== 'object' || payload === null) throw new InvalidCursorError();
  const { s, k } = payload as Partial<Record<keyof CursorPayload, unknown>>;
  if (s !== scope || !Array.isArray(k) || k.length !== fields.length) {
    throw new InvalidCursorError();
  }
  return fields.map((field, i) => {
    const value = readValue(field, k[i]);
    if (value === undefined) throw new InvalidCursorError();
    return value;
  });
}

function readValue(field: CursorField, raw: unknown): CursorValue | undefined {
  switch (field.type) {
    case 'date': {
      if (typeof raw !== 'string') return undefined;
      const date = new Date(raw);
      // Only the exact form encodeCursor writes: no other spelling of a time gets through.
      if (Number.isNaN(date.getTime()) || date.toISOString() !== raw) return undefined;
      return field.accept?.(date) === false ? undefined : date;
    }
    case 'string':
      if (typeof raw !== 'string') return undefined;
      return field.accept?.(raw) === false ? undefined : raw;
    case 'integer':
      if (typeof raw !== 'number' || !Number.isSafeInteger(raw)) return undefined;
      return field.accept?.(raw) === false ? undefined : raw;
  }
}

export type PageDirection = 'asc' | 'desc';

/**
 * One key of a keyset ordering. Either a column the rows carry under the same name, or any
 * expression (a computed score) with `value` reading it from the row. Keys must not be NULL,
 * and the last one must be unique (the id), so that the ordering is total.
 */
export type PageKey<DB, TB extends keyof DB, O> = CursorField & { direction: PageDirection } & (
    | { column: StringReference<DB, TB> & keyof O & string }
    | { expression: Expression<unknown>; value: (row: O) => unknown }
  );

export interface PageOptions<DB, TB extends keyof DB, O> {
  keys: readonly PageKey<DB, TB, O>[];
  limit: number;
  /** The `nextCursor` of the previous page; none for the first page. */
  cursor?: string | undefined;
  /** Binds cursors to this ordering (e.g. the sort's name): a cursor of another is refused. */
  scope?: string | undefined;
}

export interface KeysetPage<T> {
  items: T[];
  nextCursor: string | null;
}

function operand<DB, TB extends keyof DB, O>(key: PageKey<DB, TB, O>): Expression<unknown> {
  return 'column' in key ? sql.ref(key.column) : key.expression;
}

/**
 * Rows strictly after `values` in the keys' order, written `a < ? OR (a = ? AND b < ?) ...`:
 * MariaDB plans the row-constructor form `(a, b) < (?, ?)` as a wide range scan.
 */
function after<DB, TB extends keyof DB, O>(
  eb: ExpressionBuilder<DB, TB>,
  keys: readonly PageKey<DB, TB, O>[],
  values: readonly CursorValue[],
): Expression<SqlBool> {
  return eb.or(
    keys.map((key, i) => {
      const ties = keys.slice(0, i).map((k, j) => sql<SqlBool>`${operand(k)} = ${values[j]}`);
      const beyond = sql<SqlBool>`${operand(key)} ${sql.raw(key.direction === 'asc' ? '>' : '<')} ${values[i]}`;
      return ties.length === 0 ? beyond : eb.and([...ties, beyond]);
    }),
  );
}

/** The key value of a row, as the cursor stores it. */
function keyValue<DB, TB extends keyof DB, O>(key: PageKey<DB, TB, O>, row: O): CursorValue {
  const raw: unknown = 'column' in key ? row[key.column] : key.value(row);
  switch (key.type) {
    case 'date':
      if (raw instanceof Date && !Number.isNaN(raw.getTime())) return raw;
      break;
    case 'string':
      if (typeof raw === 'string') return raw;
      break;
    case 'integer': {
      // BIGINT and computed integers may come back as strings or bigints from the driver.
      const value = typeof raw === 'string' || typeof raw === 'bigint' ? Number(raw) : raw;
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      break;
    }
  }
  const name = 'column' in key ? key.column : 'an expression key';
  throw new TypeError(`paginate: ${name} of a row is not a ${key.type}: ${String(raw)}`);
}

/**
 * One page of `query` in keyset order: applies the cursor's position, orders by the keys and
 * fetches one row past `limit` to know whether another page follows. The query must not have an
 * ORDER BY or LIMIT of its own. A malformed cursor throws InvalidCursorError before any SQL runs.
 */
export async function paginate<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  options: PageOptions<DB, TB, NoInfer<O>>,
): Promise<KeysetPage<O>> {
  const { keys, limit, cursor, scope } = options;
  if (keys.length === 0) throw new TypeError('paginate: no keys');
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`paginate: limit must be a positive integer, got ${limit}`);
  }
  let select = query;
  if (cursor !== undefined) {
    const values = decodeCursor(cursor, keys, scope);
    select = select.where((eb) => after(eb, keys, values));
  }
  for (const key of keys) select = select.orderBy(operand(key), key.direction);
  const rows = await select.limit(limit + 1).execute();
  return pageOf(rows, keys, limit, scope);
}

/** A column key (a union's outer ORDER BY can only name columns). */
export type ColumnPageKey<DB, TB extends keyof DB, O> = Extract<
  PageKey<DB, TB, O>,
  { column: unknown }
>;

/**
 * One page of the union of `branches` in keyset order, for a filter that is an OR of equalities
 * (a category and its sub-categories): each branch takes its own `limit + 1` rows after the
 * cursor along its index, and the outer query merges those few. One `IN (...)` would read every
 * matching row and sort them all. Branches must select the same columns; keys must be columns.
 */
export async function paginateUnion<DB, TB extends keyof DB, O>(
  db: Kysely<DB>,
  branches: readonly SelectQueryBuilder<DB, TB, O>[],
  options: Omit<PageOptions<DB, TB, NoInfer<O>>, 'keys'> & {
    keys: readonly ColumnPageKey<DB, TB, NoInfer<O>>[];
  },
): Promise<KeysetPage<O>> {
  const [only] = branches;
  if (branches.length === 1 && only) return paginate(only, options);
  const { keys, limit, cursor, scope } = options;
  if (branches.length === 0) return { items: [], nextCursor: null };
  const values = cursor === undefined ? undefined : decodeCursor(cursor, keys, scope);
  const parts = branches.map((branch) => {
    let select = values ? branch.where((eb) => after(eb, keys, values)) : branch;
    for (const key of keys) select = select.orderBy(sql.ref(key.column), key.direction);
    return select.limit(limit + 1);
  });
  const order = sql.join(keys.map((key) => sql`${sql.ref(key.column)} ${sql.raw(key.direction)}`));
  const { rows } = await sql<O>`
    SELECT * FROM (${sql.join(parts, sql` UNION ALL `)}) AS branches
    ORDER BY ${order} LIMIT ${limit + 1}`.execute(db);
  return pageOf<DB, TB, O>(rows, keys, limit, scope);
}

function pageOf<DB, TB extends keyof DB, O>(
  rows: O[],
  keys: readonly PageKey<DB, TB, O>[],
  limit: number,
  scope: string | undefined,
): KeysetPage<O> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > limit && last !== undefined
      ? encodeCursor(
          keys.map((key) => keyValue(key, last)),
          scope,
        )
      : null;
  return { items, nextCursor };
}
