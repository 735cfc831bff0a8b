import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fail, say, warn } from './console.mjs';
import { run } from './install.mjs';

// What the build reads: a change in any of these makes frontend/dist stale.
const INPUTS = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Why frontend/dist must be (re)built, or null when it is up to date or there is nothing to build. */
export function frontendBuildReason(root) {
  const dir = join(root, 'frontend');
  if (!existsSync(join(dir, 'index.html'))) return null;
  const built = join(dir, 'dist', 'index.html');
  if (!existsSync(built)) return 'frontend/dist is missing';
  const sources = Math.max(...INPUTS.map((input) => newestMtime(join(dir, input))));
  return sources > statSync(built).mtimeMs
    ? 'the frontend sources changed since the last build'
    : null;
}

export async function ensureFrontendBuilt(root) {
  if (!existsSync(join(root, 'frontend', 'index.html'))) {
    warn('frontend/index.html not found: the gateway will serve the API only.');
    return;
  }
  const reason = frontendBuildReason(root);
  if (!reason) return;
  say(`Building the frontend (${reason}): npm run build:frontend`);
  if ((await run('npm', ['run', 'build:frontend'], { cwd: root })) === 0) return;
  fail(
    'The frontend build failed (see its output above). Fix it, or run `npm run build:frontend` to retry.',
  );
  process.exit(1);
}
