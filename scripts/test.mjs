#!/usr/bin/env node
// `npm test`: the whole check a change must pass, in the order that fails fastest: formatting,
// lint, types, then every Vitest project (unit, integration, e2e with the browser).
// Extra arguments go to Vitest: `npm test -- --project unit`.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { color, fail, requireNode, say } from './lib/console.mjs';
import { ensureInstalled, run } from './lib/install.mjs';
import { checkBackingServices, DEFAULT_MYSQL_URL, DEFAULT_RABBITMQ_URL } from './lib/preflight.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPORT = join(ROOT, '.run', 'vitest-report.json');
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
const startedAt = Date.now();

const STEPS = [
  { title: 'format', command: bin('prettier'), args: ['--check', '.'] },
  { title: 'lint', command: bin('eslint'), args: ['.', '--max-warnings', '0'] },
  { title: 'types', command: 'npm', args: ['run', '--silent', 'typecheck'] },
  // The browser tests and the bundle budget read frontend/dist: always the SPA of these sources.
  { title: 'frontend build', command: 'npm', args: ['run', '--silent', 'build:frontend'] },
  {
    title: 'tests',
    command: bin('vitest'),
    args: [
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile=${REPORT}`,
      ...process.argv.slice(2),
    ],
  },
];

requireNode();
rmSync(REPORT, { force: true });
await ensureInstalled(ROOT);
await checkBackingServicesOrExit();
await ensureChromium();

for (const [index, step] of STEPS.entries()) {
  const shown = `${step.command === 'npm' ? 'npm' : step.command.split(/[\\/]/).pop()} ${step.args.join(' ')}`;
  process.stdout.write(
    `\n${color.bold(`━━ [${index + 1}/${STEPS.length}] ${step.title}: ${shown}`)}\n`,
  );
  const stepStarted = Date.now();
  const code = await run(step.command, step.args, { cwd: ROOT });
  const took = `${((Date.now() - stepStarted) / 1000).toFixed(1)} s`;
  if (code !== 0) {
    process.stderr.write(
      `\n${color.bold(color.red(`✗ npm test FAILED at step ${index + 1}, ${step.title} (${shown}): exit code ${code}, after ${took}`))}\n`,
    );
    if (step.title === 'tests') printSummary();
    process.exit(code);
  }
  say(color.green(`${step.title} passed (${took})`));
}
say(
  color.bold(color.green(`npm test passed in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`)),
);
printSummary();

/** The last line of the run: `N passed, N failed`, from Vitest's JSON report. */
function printSummary() {
  if (!existsSync(REPORT)) {
    process.stdout.write('vitest wrote no report (it stopped before running the tests)\n');
    return;
  }
  const report = JSON.parse(readFileSync(REPORT, 'utf8'));
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  if (skipped > 0) process.stdout.write(`(${skipped} skipped)\n`);
  process.stdout.write(
    `${report.numPassedTests ?? 0} passed, ${report.numFailedTests ?? 0} failed\n`,
  );
}

async function checkBackingServicesOrExit() {
  // The integration and e2e tests use the same variables (see libs/testing).
  const { failures } = await checkBackingServices({
    mysqlUrl: process.env.MYSQL_URL || DEFAULT_MYSQL_URL,
    rabbitmqUrl: process.env.RABBITMQ_URL || DEFAULT_RABBITMQ_URL,
  });
  if (failures.length === 0) return;
  for (const failure of failures) fail(failure);
  fail('The integration tests need both; start them and run npm test again.');
  process.exit(1);
}

/** The browser tests drive Debian's Chromium (never a downloaded one). */
async function ensureChromium() {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (existsSync(path)) return;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    say(`${path} is missing: installing Debian's chromium for the browser tests`);
    const ok =
      (await run('apt-get', ['update'])) === 0 &&
      (await run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', 'chromium'])) === 0;
    if (ok && existsSync(path)) return;
  }
  fail(
    `The browser tests need Chromium at ${path}. Install it with \`sudo apt-get install -y chromium\` ` +
      '(Debian/Ubuntu), or point CHROMIUM_PATH at a Chromium/Chrome binary.',
  );
  process.exit(1);
}
