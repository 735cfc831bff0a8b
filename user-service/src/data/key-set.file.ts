import { randomUUID } from 'node:crypto';
import { chmod, link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseKeySet, serializeKeySet, type KeySetEntry } from '../domain/key-set.ts';

/** Where development keeps its generated key set (git- and docker-ignored). */
export const DEV_KEY_SET_FILE = join('.run', 'keys', 'user-service.jwks.json');

export async function readKeySetFile(path: string): Promise<KeySetEntry[]> {
  return parseKeySet(await readFile(path, 'utf8'), path);
}

/** When the file last changed, to reload it only then. */
export async function keySetFileVersion(path: string): Promise<number> {
  return (await stat(path)).mtimeMs;
}

async function writeTemp(path: string, entries: readonly KeySetEntry[]): Promise<string> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${randomUUID()}.tmp`;
  await writeFile(temp, serializeKeySet(entries), { mode: 0o600 });
  // writeFile's mode is only used when it creates the file, and the umask applies.
  await chmod(temp, 0o600);
  return temp;
}

/** Replaces the file at once (readers see the old or the new set, never half), mode 0600. */
export async function writeKeySetFile(
  path: string,
  entries: readonly KeySetEntry[],
): Promise<void> {
  await rename(await writeTemp(path, entries), path);
}

/**
 * Writes `entries` to `path` unless a file is there already; false when one was. Two processes
 * starting together keep the same keys: the link fails for the later one.
 */
export async function createKeySetFile(
  path: string,
  entries: readonly KeySetEntry[],
): Promise<boolean> {
  const temp = await writeTemp(path, entries);
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp);
  }
}
