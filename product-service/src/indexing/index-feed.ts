import type { Kysely, Selectable } from 'kysely';
import { PeriodicTask, type Registry } from '@marketplace/tasks';
import type { Logger } from '@marketplace/events';
import { parseAttributes } from '../data/product.mapper.ts';
import type { DB, ProductsTable } from '../data/schema.ts';
import type { CatalogIndex, IndexedProduct } from '../search/catalog-index.ts';

const COLUMNS = [
  'id',
  'seller_id',
  'category_id',
  'title',
  'description',
  'price_minor',
  'stock',
  'status',
  'created_at',
  'updated_at',
  'version',
  'attributes',
] as const;

type IndexRow = Pick<Selectable<ProductsTable>, (typeof COLUMNS)[number]>;

function toIndexed(row: IndexRow): IndexedProduct {
  return {
    id: row.id,
    sellerId: row.seller_id,
    categoryId: row.category_id,
    title: row.title,
    description: row.description,
    priceMinor: row.price_minor,
    stock: row.stock,
    status: row.status,
    createdAt: row.created_at,
    version: row.version,
    attributes: parseAttributes(row.attributes),
  };
}

export interface IndexFeedOptions {
  db: Kysely<DB>;
  index: CatalogIndex;
  logger: Logger;
  /** Rows read per query while building or catching up. */
  batchSize?: number;
  /** The pace of the catch-up scan (changes this replica was not told of by an event). */
  catchUpMs?: number;
  /**
   * How far back each catch-up looks before the newest change it saw: a transaction that
   * commits late carries an updated_at older than rows committed before it.
   */
  overlapMs?: number;
  registry?: Registry;
  /** Told which products changed in the index (a newer version arrived, or one was removed). */
  onChange?: (ids: readonly string[]) => void;
}

/**
 * Keeps this replica's search index equal to MySQL: built from every row at start, refreshed
 * by id after this replica's own writes (read-your-writes) and on other replicas' product events,
 * and by a catch-up scan over updated_at for whatever no event told (a replica that was
 * disconnected, a bulk load). MySQL stays the truth: every update reads the row as committed.
 */
export class IndexFeed {
  private builtFlag = false;
  private watermark: Date | undefined;
  private readonly batchSize: number;
  private readonly overlapMs: number;
  private readonly catchUp: PeriodicTask<void>;

  constructor(private readonly options: IndexFeedOptions) {
    this.batchSize = options.batchSize ?? 5_000;
    this.overlapMs = options.overlapMs ?? 5_000;
    this.catchUp = new PeriodicTask({
      name: 'search-index-catch-up',
      intervalMs: options.catchUpMs ?? 2_000,
      logger: options.logger,
      run: () => this.catchUpOnce(),
      ...(options.registry ? { registry: options.registry } : {}),
    });
  }

  /** True once every row has been indexed once: search answers from then on. */
  get built(): boolean {
    return this.builtFlag;
  }

  /** Indexes every product (keyset by id), then starts the catch-up scan. */
  async start(): Promise<void> {
    const started = Date.now();
    // Changes committed while building are caught up afterwards from this point.
    this.watermark = new Date(started);
    const page = async (after: string | undefined): Promise<IndexRow[]> => {
      let query = this.options.db
        .selectFrom('products')
        .select(COLUMNS)
        .orderBy('id')
        .limit(this.batchSize);
      if (after !== undefined) query = query.where('id', '>', after);
      return query.execute();
    };
    // The next page is asked for before this one is indexed, so MySQL reads it meanwhile.
    let next = page(undefined);
    for (;;) {
      const rows = await next;
      const last = rows.at(-1);
      const more = last !== undefined && rows.length === this.batchSize;
      if (more) {
        next = page(last.id);
        // Handled here too, in case apply throws before it is awaited (it still rejects there).
        next.catch(() => undefined);
      }
      this.apply(rows);
      if (!more) break;
    }
    this.options.index.prepare();
    this.builtFlag = true;
    this.options.logger.info(
      { products: this.options.index.size, ms: Date.now() - started },
      'search index built',
    );
    this.catchUp.start();
  }

  async stop(): Promise<void> {
    await this.catchUp.stop();
  }

  /** Reads these products as committed and indexes them (a product gone is removed). */
  async refresh(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const unique = [...new Set(ids)];
    const rows = await this.options.db
      .selectFrom('products')
      .select(COLUMNS)
      .where('id', 'in', unique)
      .execute();
    this.apply(rows);
    const found = new Set(rows.map((row) => row.id));
    const gone = unique.filter((id) => !found.has(id) && this.options.index.has(id));
    for (const id of gone) this.options.index.remove(id);
    if (gone.length > 0) this.options.onChange?.(gone);
  }

  /** Indexes rows; those that were news (a version not indexed yet) are reported. */
  private apply(rows: readonly IndexRow[]): void {
    const changed: string[] = [];
    for (const row of rows) {
      if (this.options.index.versionOf(row.id) === row.version) continue;
      this.options.index.upsert(toIndexed(row));
      changed.push(row.id);
    }
    if (changed.length > 0) this.options.onChange?.(changed);
  }

  /** One catch-up pass: every row changed since the watermark (less the overlap), in pages. */
  private async catchUpOnce(): Promise<void> {
    if (!this.watermark) return;
    const from = new Date(this.watermark.getTime() - this.overlapMs);
    let position: { at: Date; id: string } | undefined;
    for (;;) {
      let query = this.options.db
        .selectFrom('products')
        .select(COLUMNS)
        .orderBy('updated_at')
        .orderBy('id')
        .limit(this.batchSize);
      const at = position;
      query = at
        ? query.where((eb) =>
            eb.or([
              eb('updated_at', '>', at.at),
              eb.and([eb('updated_at', '=', at.at), eb('id', '>', at.id)]),
            ]),
          )
        : query.where('updated_at', '>=', from);
      const rows = await query.execute();
      this.apply(rows);
      const last = rows.at(-1);
      if (last) {
        position = { at: last.updated_at, id: last.id };
        if (last.updated_at > this.watermark) this.watermark = last.updated_at;
      }
      if (rows.length < this.batchSize) break;
    }
    this.options.index.prepare();
  }
}
