import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS, serviceCommand } from '../../scripts/lib/build.mjs';
import { APP_SERVICES, ROOT } from './repo.ts';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const flags = NODE_FLAGS.join(' ');

/** The young generation's capacity in a node started with `args`, in bytes. */
function newSpaceSize(args: readonly string[]): number {
  const code =
    "process.stdout.write(String(require('v8').getHeapSpaceStatistics()" +
    ".find((s) => s.space_name === 'new_space').space_size))";
  return Number(execFileSync(process.execPath, [...args, '-e', code], { encoding: 'utf8' }));
}

// Every way a service is run uses the same flags (scripts/lib/build.mjs), so the memory the soak
// measures and the image runs with are the same.
describe('repo: every service runs with the same Node flags', () => {
  it('when a service is started by npm start or the test stack, then it gets NODE_FLAGS', () => {
    for (const { name: service } of APP_SERVICES) {
      expect(serviceCommand(service)).toEqual([...NODE_FLAGS, `${service}/dist/server.mjs`]);
    }
  });

  it('when the image or compose runs a service, or its own start script, then the flags are the same', () => {
    expect(read('Dockerfile')).toContain(`exec node ${flags} \\"$SERVICE/dist/server.mjs\\"`);
    expect(read('docker-compose.yml')).toContain(`node ${flags} "$$SERVICE/dist/server.mjs"`);
    for (const { name: service } of APP_SERVICES) {
      const manifest = JSON.parse(read(`${service}/package.json`)) as {
        scripts: Record<string, string>;
      };
      expect(manifest.scripts.start, service).toBe(`node ${flags} dist/server.mjs`);
    }
  });

  it('when node runs with NODE_FLAGS, then its young generation starts at its full size', () => {
    const sized = newSpaceSize(NODE_FLAGS);
    expect(sized).toBeGreaterThanOrEqual(16 * 2 ** 20);
    // Without them V8 starts small and grows it under load, in steps.
    expect(newSpaceSize([])).toBeLessThan(sized);
  });
});
