import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Address, AdminUserPatch, ProfilePatch, UserListQuery } from '@marketplace/contracts';
import { paginate, type KeysetPage, type PageKey } from '@marketplace/db';
import type { User, UserWithSecret } from '../domain/user.model.ts';
import type { DB, UsersTable } from './schema.ts';

type UserRow = Selectable<UsersTable>;

function toUser(row: UserRow): UserWithSecret {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    phone: row.phone,
    address: row.address === null ? null : (JSON.parse(row.address) as Address),
    language: row.language,
    blocked: Boolean(row.blocked),
    createdAt: row.created_at,
    passwordHash: row.password_hash,
  };
}

function withoutSecret({ passwordHash: _secret, ...user }: UserWithSecret): User {
  return user;
}

export async function findUserByEmail(
  db: Kysely<DB>,
  email: string,
): Promise<UserWithSecret | null> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', email)
    .executeTakeFirst();
  return row ? toUser(row) : null;
}

/** With `forUpdate`, the row stays locked until the surrounding transaction ends. */
export async function findUserById(
  db: Kysely<DB>,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<UserWithSecret | null> {
  let query = db.selectFrom('users').selectAll().where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row ? toUser(row) : null;
}

export async function insertUser(db: Kysely<DB>, user: User, passwordHash: string): Promise<void> {
  await db
    .insertInto('users')
    .values({
      id: user.id,
      email: user.email,
      password_hash: passwordHash,
      name: user.name,
      role: user.role,
      phone: user.phone,
      address: user.address === null ? null : JSON.stringify(user.address),
      language: user.language,
      blocked: user.blocked ? 1 : 0,
      created_at: user.createdAt,
      updated_at: user.createdAt,
    })
    .execute();
}

export async function updateUser(
  db: Kysely<DB>,
  id: string,
  changes: ProfilePatch & AdminUserPatch & { passwordHash?: string },
): Promise<void> {
  const set: Updateable<UsersTable> = { updated_at: new Date() };
  if (changes.name !== undefined) set.name = changes.name;
  if (changes.phone !== undefined) set.phone = changes.phone;
  if (changes.address !== undefined) {
    set.address = changes.address === null ? null : JSON.stringify(changes.address);
  }
  if (changes.language !== undefined) set.language = changes.language;
  if (changes.role !== undefined) set.role = changes.role;
  if (changes.blocked !== undefined) set.blocked = changes.blocked ? 1 : 0;
  if (changes.passwordHash !== undefined) set.password_hash = changes.passwordHash;
  await db.updateTable('users').set(set).where('id', '=', id).execute();
}

const NEWEST_FIRST: readonly PageKey<DB, 'users', UserRow>[] = [
  { column: 'created_at', direction: 'desc', type: 'date' },
  { column: 'id', direction: 'desc', type: 'string' },
];

/** `text` matched literally by LIKE: its wildcards and the escape character escaped. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/**
 * Newest first, keyset-paginated on (created_at, id); throws InvalidCursorError for a bad cursor.
 * `q` with an `@` is an e-mail prefix only (a range of the unique e-mail key); without one it is
 * an e-mail prefix or a part of the name, which no index serves: the newest-first walk filters
 * rows until the page is full.
 */
export async function listUsers(db: Kysely<DB>, query: UserListQuery): Promise<KeysetPage<User>> {
  let select = db.selectFrom('users').selectAll();
  if (query.role) select = select.where('role', '=', query.role);
  if (query.blocked !== undefined) select = select.where('blocked', '=', query.blocked ? 1 : 0);
  const q = query.q?.trim();
  if (q) {
    // E-mails are stored lower-cased; names compare case-insensitively by their collation.
    const emailPrefix = `${likeLiteral(q.toLowerCase())}%`;
    select = q.includes('@')
      ? select.where('email', 'like', emailPrefix)
      : select.where((eb) =>
          eb.or([eb('email', 'like', emailPrefix), eb('name', 'like', `%${likeLiteral(q)}%`)]),
        );
  }
  const page = await paginate(select, {
    keys: NEWEST_FIRST,
    limit: query.limit,
    cursor: query.cursor,
  });
  return { ...page, items: page.items.map((row) => withoutSecret(toUser(row))) };
}

/** Which of these ids or e-mails are taken already (for the idempotent demo seed). */
export async function findTaken(
  db: Kysely<DB>,
  ids: string[],
  emails: string[],
): Promise<{ id: string; email: string }[]> {
  if (ids.length === 0 && emails.length === 0) return [];
  return db
    .selectFrom('users')
    .select(['id', 'email'])
    .where((eb) => eb.or([eb('id', 'in', ids), eb('email', 'in', emails)]))
    .execute();
}
