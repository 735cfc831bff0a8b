import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The SPA imports these contracts: nothing in them may need Node at run time.
const NODE_ONLY = /\bBuffer\b|\bprocess\.|\brequire\(|from ['"]node:|\b__dirname\b/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('contracts', () => {
  it('when a contract is loaded in a browser, then it uses no Node-only API', () => {
    const offenders = sources(import.meta.dirname).filter((file) =>
      NODE_ONLY.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
