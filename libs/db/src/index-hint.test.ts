import { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { compileOnlyMysql } from './compile-only.test-helper.ts';
import { forceIndex } from './index-hint.ts';

interface Db {
  products: { id: string; price: number };
  attributes: { product_id: string };
}

const db = new Kysely<Db>({ dialect: compileOnlyMysql });

describe('forceIndex', () => {
  it('when applied, then the outer FROM names the index and subqueries are left alone', () => {
    const query = db
      .withPlugin(forceIndex('products', 'ix_price'))
      .selectFrom('products')
      .selectAll()
      .where((eb) =>
        eb.exists(
          eb.selectFrom('attributes').select('product_id').whereRef('product_id', '=', 'id'),
        ),
      )
      .compile();
    expect(query.sql).toBe(
      'select * from `products` FORCE INDEX (`ix_price`) where exists ' +
        '(select `product_id` from `attributes` where `product_id` = `id`)',
    );
  });

  it('when a name is not a plain identifier, then it is refused', () => {
    expect(() => forceIndex('products', 'ix`; DROP TABLE x')).toThrow(TypeError);
  });
});
