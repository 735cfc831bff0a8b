import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { SERVER_CODES } from '../../frontend/src/api/problemCodes.ts';
import { ROOT } from './repo.ts';

// The SPA's API types are the contracts' own (`import type { ... } from '@marketplace/contracts'`),
// so a schema changed on one side fails vue-tsc. These checks keep hand-written copies from
// coming back, under the contracts' names or imported through a module of the SPA's own.

const CONTRACTS = '@marketplace/contracts';

/** Every name libs/contracts exports, types and values alike, as the compiler sees them. */
function contractNames(): Set<string> {
  const index = join(ROOT, 'libs/contracts/src/index.ts');
  const program = ts.createProgram([index], {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(index);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error('libs/contracts/src/index.ts cannot be read as a module');
  return new Set(checker.getExportsOfModule(module).map((symbol) => symbol.getName()));
}

/** The SPA's own sources: TypeScript files and the scripts of single-file components. */
function frontendFiles(dir = join(ROOT, 'frontend')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (['node_modules', 'dist', 'public'].includes(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return frontendFiles(path);
    return /\.(ts|vue)$/.test(entry.name) ? [path] : [];
  });
}

function scriptOf(path: string): string {
  const text = readFileSync(path, 'utf8');
  if (!path.endsWith('.vue')) return text;
  return [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
}

/** Names a source declares as a type: `interface X`, `type X =`, `enum X`. */
function declaredTypes(source: string): string[] {
  const declarations =
    /^\s*(?:export\s+)?(?:declare\s+)?(?:interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm;
  return [...source.matchAll(declarations)].flatMap((m) => (m[1] ? [m[1]] : []));
}

/** Each named import and re-export: the name as its module exports it, and the module. */
function importedNames(source: string): { name: string; from: string }[] {
  const statements = /^\s*(?:import|export)\s+(?:type\s+)?([^'";]*?)\s+from\s+['"]([^'"]+)['"]/gm;
  return [...source.matchAll(statements)].flatMap((m) => {
    const clause = m[1] ?? '';
    const from = m[2] ?? '';
    const braces = /\{([^}]*)\}/.exec(clause)?.[1] ?? '';
    return braces
      .split(',')
      .map((part) => part.trim().replace(/^type\s+/, ''))
      .filter(Boolean)
      .map((part) => ({ name: part.split(/\s+as\s+/)[0] ?? part, from }));
  });
}

/** Where the problem codes are made: the services' catalogues and the shared libraries'. */
function catalogueSources(): string {
  const files = [
    'gateway/src/errors.ts',
    'libs/jwt/src/plugin.ts',
    'libs/service-kit/src/plugins/errors.ts',
    ...['user', 'product', 'order', 'notification'].map((s) => `${s}-service/src/domain/errors.ts`),
  ];
  return files
    .filter((file) => existsSync(join(ROOT, file)))
    .map((file) => readFileSync(join(ROOT, file), 'utf8'))
    .join('\n');
}

describe('the SPA and the contracts', () => {
  const names = contractNames();
  const files = frontendFiles();

  it('when the contracts are read, then their types are among the names they export', () => {
    for (const name of ['Product', 'Order', 'Problem', 'AuthSession', 'UnreadCount']) {
      expect(names).toContain(name);
    }
  });

  it('when the SPA declares a type, then its name is none of the contracts’ names', () => {
    const restated = files.flatMap((file) =>
      declaredTypes(scriptOf(file))
        .filter((name) => names.has(name))
        .map((name) => `${relative(ROOT, file)} declares ${name}`),
    );
    expect(restated, `import these from ${CONTRACTS} instead`).toEqual([]);
  });

  it('when the SPA imports a contract’s name, then it imports it from the contracts', () => {
    const detours = files.flatMap((file) =>
      importedNames(scriptOf(file))
        .filter(({ name, from }) => names.has(name) && from !== CONTRACTS)
        .map(({ name, from }) => `${relative(ROOT, file)} imports ${name} from ${from}`),
    );
    expect(detours, `import these from ${CONTRACTS}`).toEqual([]);
  });

  it('when the SPA branches on a problem code, then a catalogue makes that code', () => {
    const catalogues = catalogueSources();
    const unknown = SERVER_CODES.filter((code) => !catalogues.includes(`'${code}'`));
    expect(unknown, 'codes in frontend/src/api/problemCodes.ts no service answers').toEqual([]);
  });
});

describe('the source readers', () => {
  it('when a file declares types, then each declared name is found', () => {
    const source = [
      'export interface Product {',
      '  id: string;',
      '}',
      "type Order = Pick<import('x').Order, 'id'>;",
      'export declare enum Role {}',
      'const type = 1;',
    ].join('\n');
    expect(declaredTypes(source)).toEqual(['Product', 'Order', 'Role']);
  });

  it('when a file imports and re-exports names, then each is read with its module', () => {
    const source = [
      "import type { Product, Order as O } from './types.ts';",
      "import { ApiError, type Problem } from '../api/client.ts';",
      "export type { User } from '@marketplace/contracts';",
      "import Card from './Card.vue';",
    ].join('\n');
    expect(importedNames(source)).toEqual([
      { name: 'Product', from: './types.ts' },
      { name: 'Order', from: './types.ts' },
      { name: 'ApiError', from: '../api/client.ts' },
      { name: 'Problem', from: '../api/client.ts' },
      { name: 'User', from: '@marketplace/contracts' },
    ]);
  });
});
