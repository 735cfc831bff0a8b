import {
  FromNode,
  RawNode,
  SelectQueryNode,
  TableNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

const NAME = /^[A-Za-z0-9_]+$/;

/**
 * `FROM <table> FORCE INDEX (<index>)` for a select (Kysely has no index hints). For a listing
 * whose key is known: MariaDB, asked for whole rows in descending key order, plans `ref` on the
 * key's first column and walks every row of it (seconds at 1M) instead of the range the key
 * gives; with the hint it reads the range, as it does for the same query asking ids only.
 * Only the outermost FROM of the query it is applied to changes.
 */
export function forceIndex(table: string, index: string): KyselyPlugin {
  if (!NAME.test(table) || !NAME.test(index)) {
    throw new TypeError(`forceIndex: not a plain name: ${table} / ${index}`);
  }
  const hinted = RawNode.createWithSql(`\`${table}\` FORCE INDEX (\`${index}\`)`);
  return {
    transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
      if (!SelectQueryNode.is(node) || !node.from) return node;
      const froms = node.from.froms.map((from) =>
        TableNode.is(from) && !from.table.schema && from.table.identifier.name === table
          ? hinted
          : from,
      );
      return { ...node, from: FromNode.create(froms) };
    },
    transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return Promise.resolve(result);
    },
  };
}
