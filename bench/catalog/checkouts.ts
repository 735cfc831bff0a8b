import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The product-service as it was before the catalog issue: "today's" figures are measured on it. */
export const BASELINE_COMMIT = '75b3170';

export interface Worktree {
  root: string;
  remove(): Promise<void>;
}

/**
 * A detached worktree of the baseline commit (the catalog's by default) beside the main checkout, with the main checkout's
 * installed packages instead of an `npm ci` (minutes on two cores). Third-party packages are
 * linked one by one; the workspace links (@marketplace/*) are made anew inside the worktree so
 * they point at the baseline's own libs, not at today's (the contracts changed).
 */
export async function addBaselineWorktree(
  mainRoot: string,
  commit: string = BASELINE_COMMIT,
): Promise<Worktree> {
  const root = join(await mkdtemp(join(tmpdir(), 'bench-baseline-')), 'repo');
  execFileSync('git', ['worktree', 'add', '--detach', root, commit], {
    cwd: mainRoot,
    stdio: 'ignore',
  });
  const remove = async (): Promise<void> => {
    execFileSync('git', ['worktree', 'remove', '--force', root], {
      cwd: mainRoot,
      stdio: 'ignore',
    });
    await rm(join(root, '..'), { recursive: true, force: true });
  };
  try {
    await linkPackages(join(mainRoot, 'node_modules'), join(root, 'node_modules'));
  } catch (error) {
    await remove();
    throw error;
  }
  return { root, remove };
}

/**
 * A copy of the main checkout's product-service and libs as they are now (uncommitted work
 * included), so every size of one run measures the same code while others keep editing.
 */
export async function snapshotCheckout(mainRoot: string): Promise<Worktree> {
  const root = join(await mkdtemp(join(tmpdir(), 'bench-catalog-new-')), 'repo');
  const remove = (): Promise<void> => rm(join(root, '..'), { recursive: true, force: true });
  try {
    for (const path of ['product-service', 'libs', 'package.json', 'tsconfig.json']) {
      await cp(join(mainRoot, path), join(root, path), {
        recursive: true,
        filter: (source) => !source.includes('/node_modules') && !source.endsWith('/dist'),
      });
    }
    await linkPackages(join(mainRoot, 'node_modules'), join(root, 'node_modules'));
  } catch (error) {
    await remove();
    throw error;
  }
  return { root, remove };
}

async function linkPackages(from: string, to: string): Promise<void> {
  await mkdir(to);
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.name === '@marketplace') continue;
    await symlink(join(from, entry.name), join(to, entry.name));
  }
  const workspaces = join(to, '@marketplace');
  await mkdir(workspaces);
  for (const name of await readdir(join(from, '@marketplace'))) {
    // Relative targets such as ../../libs/db resolve inside the worktree.
    await symlink(await readlink(join(from, '@marketplace', name)), join(workspaces, name));
  }
}
