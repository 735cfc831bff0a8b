import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, readDockerfile, readText } from './repo.ts';

const SCRIPT = '.ci/run';

/** The script's commands: comments dropped, continuation lines joined, one entry per line. */
function commands(script: string): string[] {
  return script
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.replace(/\s+/g, ' '));
}

const lines = commands(readText(SCRIPT));
const indexOf = (what: string, test: (line: string) => boolean): number => {
  const index = lines.findIndex(test);
  if (index < 0) throw new Error(`${SCRIPT} has no command that ${what}`);
  return index;
};
// `VAR=value ... command`: the environment assignments in front of a command.
const ENV_PREFIX = String.raw`(?:[A-Za-z_]\w*=\S*\s+)*`;
/** The value a plain `name=value` line of the script assigns, quotes removed. */
const assigned = (name: string): string => {
  const line = lines[indexOf(`assigns ${name}`, (l) => l.startsWith(`${name}=`))] ?? '';
  return line.slice(name.length + 1).replace(/^["']|["']$/g, '');
};

const npmTest = (): number =>
  indexOf('runs npm test', (l) => new RegExp(`^${ENV_PREFIX}npm test$`).test(l));

const imageMajor = (): string => {
  const major = assigned('NODE_IMAGE_MAJOR');
  expect(major).toMatch(/^\d+$/);
  return major;
};

/** The vitest run on the images' Node: its line, and the binary that runs it. */
const imageNodeRun = (): { index: number; binary: string; args: string[] } => {
  const index = indexOf('runs node_modules/vitest/vitest.mjs', (l) =>
    l.includes('node_modules/vitest/vitest.mjs'),
  );
  const words = (lines[index] ?? '').split(' ');
  const vitest = words.indexOf('node_modules/vitest/vitest.mjs');
  return { index, binary: words[vitest - 1] ?? '', args: words.slice(vitest + 1) };
};

describe('.ci/run', () => {
  it('when bash parses it, then it has no syntax error', () => {
    expect(() => execFileSync('bash', ['-n', join(ROOT, SCRIPT)], { stdio: 'pipe' })).not.toThrow();
  });

  it("when it tests, then it runs npm test, the README's test command, every suite on the machine's Node", () => {
    expect(readText('README.md')).toMatch(/^npm test\b/m);
    expect(npmTest()).toBeGreaterThan(indexOf('runs npm ci', (l) => l.startsWith('npm ci')));
  });

  it("when docker-compose is missing, then it installs Debian's package with apt-get", () => {
    const install = (
      lines[indexOf('runs apt-get install', (l) => /^apt-get\b.*\binstall\b/.test(l))] ?? ''
    ).split(' ');
    // The packages come literally or through a bash array filled with `packages+=(...)`.
    const arrayed = lines.flatMap((l) => /packages\+=\(([^)]*)\)/.exec(l)?.[1]?.split(' ') ?? []);
    const installed = install.includes('"${packages[@]}"') ? [...install, ...arrayed] : install;
    expect(installed).toContain('docker-compose');
    expect(lines.some((l) => l.includes('command -v docker-compose'))).toBe(true);
  });

  it('when the compose file is there, then docker-compose config validates it', () => {
    const config =
      lines[
        indexOf('runs docker-compose config', (l) => /^docker-compose\b.*\bconfig\b/.test(l))
      ]?.split(' ');
    expect(config).toContain('-q');
    expect(config?.[(config?.indexOf('-f') ?? -2) + 1]).toBe('docker-compose.yml');
  });

  it('when npm test has passed, then it runs the integration, e2e, faults and security projects whole on the Node it fetched from npm', () => {
    const major = imageMajor();
    const fetch = indexOf(
      'fetches node-linux-*@<major>',
      (l) =>
        /^npm (install|pack)\b/.test(l) &&
        new RegExp(String.raw`node-linux-[^@\s]+@(\$\{?NODE_IMAGE_MAJOR\b|${major}\b)`).test(l),
    );
    const run = imageNodeRun();
    expect(run.index).toBeGreaterThan(npmTest());
    expect(run.index).toBeGreaterThan(fetch);
    // The binary is the package's bin/node, not the machine's `node`.
    expect(run.binary).toMatch(/^"?\$\{?(\w+)\}?"?$/);
    const variable = /\$\{?(\w+)/.exec(run.binary)?.[1] ?? '';
    const binary = assigned(variable);
    expect(binary).toMatch(/\/bin\/node$/);
    const base = /^\$\{?(\w+)\}?\//.exec(binary)?.[1];
    expect(base ? assigned(base) : binary).toContain('node-linux-');
    expect(run.args.slice(0, 1)).toEqual(['run']);
    expect(run.args.join(' ')).toContain('--project integration');
    expect(run.args.join(' ')).toContain('--project e2e');
    expect(run.args.join(' ')).toContain('--project faults');
    expect(run.args.join(' ')).toContain('--project security');
    // Whole projects: no file filter or other option narrowing them.
    expect(
      run.args.filter((word) => !/^(run|--project|integration|e2e|faults|security)$/.test(word)),
    ).toEqual([]);
  });

  it("when the Dockerfile's images change Node, then CI fetches the same major, and engines names it", () => {
    const majors = new Set(
      readDockerfile('Dockerfile')
        .filter((i) => i.keyword === 'FROM' && i.args.startsWith('node:'))
        .map((i) => /^node:(\d+)/.exec(i.args)?.[1]),
    );
    expect([...majors]).toEqual([imageMajor()]);
    const manifest = JSON.parse(readText('package.json')) as { engines: { node: string } };
    expect(manifest.engines.node).toContain(`^${imageMajor()}.`);
  });
});
