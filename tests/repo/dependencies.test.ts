import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, workspaces } from './repo.ts';

// The images install one workspace with `npm ci --omit=dev --workspace <name>`: a runtime import
// that is not among that workspace's dependencies works on a laptop (hoisting) and fails there.
const BACKEND = workspaces().filter((w) => w !== 'frontend');
const RUNTIME_FOLDERS = ['src', 'migrations'];

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Bare specifiers a file loads at run time (type-only imports are erased, so they do not count). */
function runtimeImports(source: string): string[] {
  const specifiers: string[] = [];
  const statements = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const match of source.matchAll(statements)) {
    if (!match[2] && match[3]) specifiers.push(match[3]);
  }
  for (const match of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    if (match[1]) specifiers.push(match[1]);
  }
  return specifiers.filter((s) => !s.startsWith('.') && !s.startsWith('/'));
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

describe.each(BACKEND)('%s', (workspace) => {
  it('when its code imports a package at run time, then the package is a dependency', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, workspace, 'package.json'), 'utf8')) as {
      name: string;
      dependencies?: Record<string, string>;
    };
    const declared = new Set([manifest.name, ...Object.keys(manifest.dependencies ?? {})]);
    const undeclared = RUNTIME_FOLDERS.flatMap((folder) =>
      sourceFiles(join(ROOT, workspace, folder)),
    )
      .flatMap((file) =>
        runtimeImports(readFileSync(file, 'utf8')).map((specifier) => ({ file, specifier })),
      )
      .filter(({ specifier }) => !builtins.has(specifier) && !declared.has(packageName(specifier)))
      .map(({ file, specifier }) => `${relative(ROOT, file)} imports ${packageName(specifier)}`);
    expect(undeclared, `add these to ${workspace}/package.json "dependencies"`).toEqual([]);
  });
});

describe('runtimeImports', () => {
  it('when a file has value, type-only and dynamic imports, then only the run-time ones count', () => {
    const source = [
      "import { a } from 'fastify';",
      "import type { B } from 'kysely';",
      "import { type C, d } from '@marketplace/db/x';",
      "export * from './local.ts';",
      "import 'side-effect';",
      "const e = await import('jose');",
    ].join('\n');
    expect(runtimeImports(source)).toEqual(['fastify', '@marketplace/db/x', 'side-effect', 'jose']);
  });
});
