import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../../gateway/src/docs/openapi-merge.ts';
import { isPublic } from '../../gateway/src/proxy/route-table.ts';
import { mergedDocument, routeRegistrations, SERVICE_ROUTES } from './openapi-documents.ts';
import { ROOT } from './repo.ts';

const run = promisify(execFile);
const REDOCLY = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
}

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
}

/** `redocly lint` with the repository's redocly.yaml (recommended rules) on one document. */
async function lint(document: OpenApiDocument, dir: string): Promise<LintReport> {
  const file = join(dir, 'openapi.json');
  await writeFile(file, JSON.stringify(document, null, 2));
  // Exits 1 on errors but 0 on warnings: the report's totals decide, not the exit code.
  const result = await run(
    process.execPath,
    [REDOCLY, 'lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format=json'],
    {
      cwd: dir,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return JSON.parse(result.stdout) as LintReport;
}

function operations(document: OpenApiDocument): { method: string; path: string; op: Operation }[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Operation>).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      op,
    })),
  );
}

const summarize = (report: LintReport): string[] =>
  report.problems.map(
    (problem) => `${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`,
  );

describe('the public API document (as the gateway merges it)', () => {
  let dir: string;
  let document: OpenApiDocument;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openapi-lint-'));
    document = await mergedDocument();
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(SERVICE_ROUTES)('when $name registers its routes, then all are documented here', (s) => {
    expect(routeRegistrations(s.name).sort()).toEqual([...s.registers].sort());
  });

  it('when linted with the recommended rules, then it has no error and no warning', async () => {
    const report = await lint(document, dir);
    expect(summarize(report)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 30_000);

  it('when an operation loses its summary, then the lint fails on it', async () => {
    const broken = structuredClone(document);
    const listing = (broken.paths?.['/api/products'] as { get: { summary?: string } }).get;
    delete listing.summary;
    const report = await lint(broken, dir);
    expect(report.totals.errors).toBeGreaterThan(0);
    expect(report.problems.map((problem) => problem.ruleId)).toContain('operation-summary');
  }, 30_000);

  it('when the gateway lets a request pass without a token, then its operation says so', () => {
    const wrong = operations(document).flatMap(({ method, path, op }) => {
      // `[]` (no requirement) or a `{}` among the alternatives: no token needed.
      const anonymous =
        op.security?.length === 0 ||
        op.security?.some((requirement) => Object.keys(requirement).length === 0);
      const open = isPublic(method, path.replace(/\{[^}]+\}/g, 'x'));
      return anonymous === open
        ? []
        : [`${method} ${path}: public ${open}, documented ${anonymous}`];
    });
    expect(wrong).toEqual([]);
  });

  it('when it is read, then it has the /api operations only, none internal', () => {
    const paths = Object.keys(document.paths ?? {});
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter((path) => !path.startsWith('/api/'))).toEqual([]);
    expect(JSON.stringify(document)).not.toMatch(/"\/internal\/|"internal"|internalToken/);
    expect(paths).toEqual(expect.arrayContaining(['/api/products', '/api/orders/{id}']));
    expect(document.tags?.every((tag) => tag.description)).toBe(true);
  });
});
