import {
  createLocalJWKSet,
  generateSigningKey,
  importSigningKey,
  type ActiveSigningKey,
  type JWK,
  type VerifierOptions,
} from '@marketplace/jwt';
import { keyRoles, MAX_TOKEN_TTL_SECONDS, type KeySetEntry } from './key-set.ts';

type KeyGetter = Exclude<VerifierOptions['jwks'], string>;

interface LoadedKey extends ActiveSigningKey {
  nbf: number;
  publicJwk: JWK;
}

/** A public key of the database's former key table, verifying the tokens it signed until `until`. */
export interface LegacyPublicKey {
  publicJwk: JWK;
  until: Date;
}

export interface SigningKeysOptions {
  legacy?: readonly LegacyPublicKey[];
  /** The access-token lifetime: a key stays published that long after it stopped signing. */
  ttlSeconds?: number;
  /** The clock (tests pass a fake one). */
  now?: () => number;
}

/** The keys of a configured key set, each imported once (PEM or JWK). */
export async function importKeySet(entries: readonly KeySetEntry[]): Promise<LoadedKey[]> {
  return Promise.all(
    entries.map(async (entry) => {
      const key = await importSigningKey(entry.material, entry.kid === '' ? undefined : entry.kid);
      return { ...key, nbf: entry.nbf };
    }),
  );
}

/** A fresh key set of one key that signs at once (development's first start, tests). */
export async function generateKeySet(): Promise<KeySetEntry[]> {
  const key = await generateSigningKey();
  return [{ kid: key.kid, nbf: 0, material: key.privateJwk }];
}

/**
 * The service's signing keys, from configuration (never the database): at any moment the newest
 * key whose `nbf` has come signs, and the JWKS lists every key that may verify a live token or
 * will sign soon (key-set.ts says when).
 */
export class SigningKeys {
  private keys: LoadedKey[];
  private local: { kids: string; getKey: KeyGetter } = {
    kids: '',
    getKey: createLocalJWKSet({ keys: [] }),
  };
  private readonly now: () => number;
  private readonly ttlSeconds: number;

  constructor(
    keys: LoadedKey[],
    private readonly options: SigningKeysOptions = {},
  ) {
    if (keys.length === 0) throw new Error('no signing key');
    this.keys = keys;
    this.now = options.now ?? Date.now;
    this.ttlSeconds = options.ttlSeconds ?? MAX_TOKEN_TTL_SECONDS;
  }

  static async fromKeySet(entries: readonly KeySetEntry[], options?: SigningKeysOptions) {
    return new SigningKeys(await importKeySet(entries), options);
  }

  /** Takes a reloaded key set; an empty one is ignored, so the service never loses its signer. */
  replace(keys: LoadedKey[]): void {
    if (keys.length > 0) this.keys = keys;
  }

  private roles() {
    return keyRoles(this.keys, Math.floor(this.now() / 1000), this.ttlSeconds);
  }

  /** The key new tokens are signed with now. */
  current(): ActiveSigningKey {
    const { signer } = this.roles();
    const key = this.keys.find((k) => k.kid === signer);
    if (!key) throw new Error('no signing key');
    return { kid: key.kid, privateKey: key.privateKey };
  }

  jwks(): { keys: JWK[] } {
    const { published } = this.roles();
    const configured = this.keys.filter((k) => published.includes(k.kid)).map((k) => k.publicJwk);
    const legacy = (this.options.legacy ?? [])
      .filter((k) => k.until.getTime() > this.now())
      .map((k) => k.publicJwk);
    return { keys: [...configured, ...legacy] };
  }

  /** A `jose` key getter over the published keys, for the service's own token verifier. */
  readonly getKey: KeyGetter = (header, token) => {
    const { keys } = this.jwks();
    const kids = keys.map((k) => k.kid).join(' ');
    // Rebuilt only when the published keys change: jose caches each imported key in the set.
    if (kids !== this.local.kids) this.local = { kids, getKey: createLocalJWKSet({ keys }) };
    return this.local.getKey(header, token);
  };
}
