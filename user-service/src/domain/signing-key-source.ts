import type { Kysely } from 'kysely';
import {
  createKeySetFile,
  DEV_KEY_SET_FILE,
  keySetFileVersion,
  readKeySetFile,
  writeKeySetFile,
} from '../data/key-set.file.ts';
import type { DB } from '../data/schema.ts';
import { listLegacyPublicKeys } from '../data/signing-key.repository.ts';
import { parseKeySet, rotateKeySet, type KeySetEntry } from './key-set.ts';
import { generateKeySet, importKeySet, SigningKeys } from './signing-keys.ts';

export interface SigningKeyConfig {
  JWT_SIGNING_KEY?: string;
  JWT_SIGNING_KEYS_FILE?: string;
  JWT_ACCESS_TTL_SECONDS: number;
}

export interface SigningKeySource {
  keys: SigningKeys;
  /** The file the keys come from; undefined for inline keys. */
  file?: string;
  /** Reads the file again when it changed (a rotation); true when it did. */
  reload(): Promise<boolean>;
}

/**
 * The signing keys of the configuration: JWT_SIGNING_KEY inline, else JWT_SIGNING_KEYS_FILE,
 * else (development only: config refuses it in production) DEV_KEY_SET_FILE, generated on the
 * first start and kept. The database adds only the public keys of its former key table.
 */
export async function loadSigningKeys(
  config: SigningKeyConfig,
  db: Kysely<DB>,
  devFile = DEV_KEY_SET_FILE,
): Promise<SigningKeySource> {
  const options = {
    legacy: await listLegacyPublicKeys(db, new Date()),
    ttlSeconds: config.JWT_ACCESS_TTL_SECONDS,
  };
  if (config.JWT_SIGNING_KEY !== undefined) {
    const entries = parseKeySet(config.JWT_SIGNING_KEY, 'JWT_SIGNING_KEY');
    const keys = await SigningKeys.fromKeySet(entries, options);
    return { keys, reload: () => Promise.resolve(false) };
  }
  const file = config.JWT_SIGNING_KEYS_FILE ?? devFile;
  if (config.JWT_SIGNING_KEYS_FILE === undefined)
    await createKeySetFile(file, await generateKeySet());
  let version = await keySetFileVersion(file);
  const keys = await SigningKeys.fromKeySet(await readKeySetFile(file), options);
  return {
    keys,
    file,
    async reload() {
      const current = await keySetFileVersion(file);
      if (current === version) return false;
      keys.replace(await importKeySet(await readKeySetFile(file)));
      version = current;
      return true;
    },
  };
}

export interface RotationResult {
  file: string;
  added: { kid: string; nbf: number };
  retired: string[];
  keys: KeySetEntry[];
}

/**
 * The rotation command's work: adds a generated key to the key set file (creating the file when
 * there is none), signing `delaySeconds` from `now`, and drops the keys whose last token expired.
 */
export async function rotateKeyFile(
  file: string,
  options: { now: number; delaySeconds?: number; ttlSeconds?: number },
): Promise<RotationResult> {
  const entries = await readKeySetFile(file).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  const [next] = await generateKeySet();
  if (!next) throw new Error('no key generated');
  const { keys, added, retired } = rotateKeySet(entries, next, options.now, options);
  await writeKeySetFile(file, keys);
  return { file, added: { kid: added.kid, nbf: added.nbf }, retired, keys };
}
