import {
  DummyDriver,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  type Dialect,
} from 'kysely';

/** For tests: a dialect that compiles MySQL and runs nothing (every query returns no rows). */
export const compileOnlyMysql: Dialect = {
  createAdapter: () => new MysqlAdapter(),
  createDriver: () => new DummyDriver(),
  createIntrospector: (kysely) => new MysqlIntrospector(kysely),
  createQueryCompiler: () => new MysqlQueryCompiler(),
};
