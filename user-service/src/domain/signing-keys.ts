import type { Kysely } from 'kysely';
import { isDuplicateKey } from '@marketplace/db';
import {
  createLocalJWKSet,
  generateSigningKey,
  type JWK,
  type VerifierOptions,
} from '@marketplace/jwt';
import {
  insertKey,
  listActiveKeys,
  maxGeneration,
  type StoredSigningKey,
} from '../data/signing-key.repository.ts';
import type { DB } from '../data/schema.ts';

type KeyGetter = Exclude<VerifierOptions['jwks'], string>;

/** How stale the served JWKS may be, so keys another instance adds show up. */
const JWKS_MAX_AGE_MS = 60_000;
/** An unknown `kid` reloads the keys at most this often, so bogus tokens cannot flood the db. */
const RELOAD_COOLDOWN_MS = 30_000;

/**
 * The service's signing keys, kept in its database so that tokens survive restarts and every
 * instance signs and verifies with the same keys. The newest generation signs; every key not
 * retired is published in the JWKS and accepted.
 */
export class SigningKeys {
  private local: KeyGetter;
  private loadedAt = Date.now();

  private constructor(
    private readonly db: Kysely<DB>,
    private keys: StoredSigningKey[],
  ) {
    this.local = createLocalJWKSet({ keys: keys.map((k) => k.publicJwk) });
  }

  /** Loads the keys, creating the first one when the database has none (first start). */
  static async load(db: Kysely<DB>): Promise<SigningKeys> {
    let keys = await listActiveKeys(db);
    if (keys.length === 0) {
      const generated = await generateSigningKey();
      const generation = (await maxGeneration(db)) + 1;
      try {
        await insertKey(db, { ...generated, generation });
      } catch (error) {
        // Another instance starting at the same moment stored this generation first: use it.
        if (!isDuplicateKey(error)) throw error;
      }
      keys = await listActiveKeys(db);
    }
    return new SigningKeys(db, keys);
  }

  /** The key new tokens are signed with. */
  get current(): StoredSigningKey {
    const newest = this.keys[0];
    if (!newest) throw new Error('no active signing key');
    return newest;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    await this.reloadIfOlderThan(JWKS_MAX_AGE_MS);
    return { keys: this.keys.map((key) => key.publicJwk) };
  }

  /** A `jose` key getter over these keys, for the service's own token verifier. */
  readonly getKey: KeyGetter = async (header, token) => {
    try {
      return await this.local(header, token);
    } catch (error) {
      if (!(await this.reloadIfOlderThan(RELOAD_COOLDOWN_MS))) throw error;
      return this.local(header, token);
    }
  };

  /** True when the keys were reloaded. */
  private async reloadIfOlderThan(ms: number): Promise<boolean> {
    if (Date.now() - this.loadedAt < ms) return false;
    this.loadedAt = Date.now();
    const keys = await listActiveKeys(this.db);
    // Never drop to no keys: the signing key stays usable whatever the table says.
    if (keys.length > 0) {
      this.keys = keys;
      this.local = createLocalJWKSet({ keys: keys.map((k) => k.publicJwk) });
    }
    return true;
  }
}
