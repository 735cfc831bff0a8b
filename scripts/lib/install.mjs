import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fail, say, warn } from './console.mjs';

/** Runs a command with its output going straight to ours; resolves with its exit code. */
export function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: 'inherit',
      shell: process.platform === 'win32',
      ...options,
    });
    child.once('error', (error) => {
      fail(`could not run ${command}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/**
 * Why an install is needed, or null. npm writes node_modules/.package-lock.json after
 * package-lock.json, so a lock file newer than it means dependencies changed since the last install.
 */
export function installReason(root) {
  const hidden = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(join(root, 'node_modules'))) return 'node_modules is missing';
  if (!existsSync(hidden)) return 'node_modules was not installed by npm';
  const lock = join(root, 'package-lock.json');
  if (existsSync(lock) && statSync(lock).mtimeMs > statSync(hidden).mtimeMs) {
    return 'package-lock.json changed since the last install';
  }
  return null;
}

export async function ensureInstalled(root) {
  const reason = installReason(root);
  if (!reason) return;
  say(`Installing dependencies (${reason}): npm ci`);
  const flags = ['--no-audit', '--no-fund'];
  if ((await run('npm', ['ci', ...flags], { cwd: root })) === 0) return;
  warn('npm ci failed; trying npm install');
  if ((await run('npm', ['install', ...flags], { cwd: root })) === 0) return;
  fail('Installing dependencies failed (see the npm output above).');
  process.exit(1);
}
