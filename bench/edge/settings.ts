import { pathToFileURL } from 'node:url';
import { DEMO_PASSWORD } from '@marketplace/contracts';
import type { Stack, StackOptions } from '../../tests/e2e/stack.ts';
import { addBaselineWorktree, type Worktree } from '../catalog/checkouts.ts';

/** A positive number from the environment, or `fallback`; anything else stops the bench. */
export function positiveNumber(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

/** The local date as YYYY-MM-DD, for the results' file names. */
export function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * The test stack's `startStack` of the checkout as it is (uncommitted work included), or, given a
 * commit (BENCH_COMMIT), of a worktree of it: a run is then repeatable while others edit, and
 * works while their edit does not build. The worktree goes to `keep` at once, so the caller
 * removes it whatever happens next.
 */
export async function stackStarter(
  root: string,
  commit: string | undefined,
  keep: (worktree: Worktree) => void,
): Promise<(options: StackOptions) => Promise<Stack>> {
  let base = root;
  if (commit) {
    process.stderr.write(`a worktree of ${commit}\n`);
    const worktree = await addBaselineWorktree(root, commit);
    keep(worktree);
    base = worktree.root;
  }
  const { startStack } = (await import(pathToFileURL(`${base}/tests/e2e/stack.ts`).href)) as {
    startStack: (options: StackOptions) => Promise<Stack>;
  };
  return startStack;
}

/** A demo account's access token (`base`: user-service or the gateway). */
export async function login(base: string, email: string): Promise<string> {
  const response = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  if (!response.ok) throw new Error(`login ${email}: ${response.status}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}
