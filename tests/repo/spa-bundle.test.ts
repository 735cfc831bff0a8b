import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './repo.ts';

// The JavaScript a first visit downloads before any page's own chunk: the entry script and every
// chunk it imports statically. Lazy routes come after, so they are not counted.
//
// `npm test` does not build the SPA (scripts/test.mjs: format, lint, types, tests), and
// frontend/dist may be a leftover of older sources, or be rebuilt by someone else meanwhile. So
// the test builds the current sources itself, into a folder of its own (a few seconds).

const BUDGET_BYTES = 150 * 1024;

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
}

const execFileAsync = promisify(execFile);
let outDir = '';

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'spa-bundle-'));
  // A production build whatever Vitest set NODE_ENV to (Vite builds Vue's dev code otherwise).
  await execFileAsync(
    join(ROOT, 'node_modules/.bin/vite'),
    ['build', '--outDir', outDir, '--emptyOutDir', '--manifest', '--logLevel', 'error'],
    { cwd: join(ROOT, 'frontend'), env: { ...process.env, NODE_ENV: 'production' } },
  );
}, 180_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** The entry's file and those of its static imports, transitively, from Vite's manifest. */
function initialScripts(): string[] {
  const manifest = JSON.parse(readFileSync(join(outDir, '.vite/manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const entries = Object.keys(manifest).filter((key) => manifest[key]?.isEntry);
  expect(entries).toEqual(['index.html']);
  const seen = new Set<string>();
  const visit = (key: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const imported of manifest[key]?.imports ?? []) visit(imported);
  };
  visit('index.html');
  return [...seen].map((key) => manifest[key]!.file);
}

/** What index.html itself makes the browser fetch: the module script and its modulepreloads. */
function scriptsInIndex(): string[] {
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const tags = html.match(/<(script|link)\b[^>]*>/g) ?? [];
  return tags
    .filter((tag) => /type="module"/.test(tag) || /rel="modulepreload"/.test(tag))
    .map((tag) => /(?:src|href)="\/([^"]+)"/.exec(tag)?.[1] ?? tag);
}

describe('the SPA bundle', () => {
  it('when built, then index.html loads exactly the entry and its static imports', () => {
    expect(scriptsInIndex().sort()).toEqual(initialScripts().sort());
  });

  it('when built, then the JavaScript loaded before any route chunk is at most 150 KB gzipped', () => {
    const gzipped = initialScripts().reduce(
      (total, file) => total + gzipSync(readFileSync(join(outDir, file)), { level: 9 }).length,
      0,
    );
    expect(gzipped).toBeGreaterThan(0);
    expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it('when built, then index.html and each initial script have a .br and a .gz of the same bytes', () => {
    for (const file of ['index.html', ...initialScripts()]) {
      const original = readFileSync(join(outDir, file));
      expect(existsSync(join(outDir, `${file}.br`)), `${file}.br`).toBe(true);
      // Buffer#equals: a deep toEqual over every byte of a 150 KB chunk takes seconds.
      const br = brotliDecompressSync(readFileSync(join(outDir, `${file}.br`)));
      const gz = gunzipSync(readFileSync(join(outDir, `${file}.gz`)));
      expect(br.equals(original), `${file}.br`).toBe(true);
      expect(gz.equals(original), `${file}.gz`).toBe(true);
    }
  });
});
