import { Type, type Static, type TSchema } from 'typebox';

export const PAGE_LIMIT_DEFAULT = 20;
export const PAGE_LIMIT_MAX = 100;

/** The one `limit` (and `cursor`) of every list; cursors are made and read by @marketplace/db. */
export const PageQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: PAGE_LIMIT_MAX, default: PAGE_LIMIT_DEFAULT }),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
});
export type PageQuery = Static<typeof PageQuerySchema>;

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}
