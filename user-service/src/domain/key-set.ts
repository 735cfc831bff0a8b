import { JWKS_COOLDOWN_MS, JWKS_REFRESH_MS, type JWK } from '@marketplace/jwt';

/**
 * One configured signing key: its private material (a private JWK, or PKCS#8 PEM) and `nbf`,
 * the moment (seconds since the epoch) from which it may sign. Before then it is published only,
 * so verifiers know it before the first token it signs.
 */
export interface KeySetEntry {
  kid: string;
  nbf: number;
  material: JWK | string;
}

/** How often user-service reads its key file again, to publish a rotated key. */
export const KEY_FILE_RELOAD_SECONDS = 30;
/**
 * How long before it signs a key must be published: user-service's reload of the file, the
 * verifiers' JWKS refresh, and their unknown-kid cooldown (a refetch just before the key appeared).
 */
export const PUBLISH_BEFORE_SIGNING_SECONDS =
  KEY_FILE_RELOAD_SECONDS + (JWKS_REFRESH_MS + JWKS_COOLDOWN_MS) / 1000;
/** The default delay of a rotation: the minimum, with room for a slow roll-out of the file. */
export const DEFAULT_ROTATION_DELAY_SECONDS = 600;
/** The longest access-token lifetime (the design's cap): a key is published that long after. */
export const MAX_TOKEN_TTL_SECONDS = 900;
/** Clock skew allowed between user-service instances and verifiers. */
const SKEW_SECONDS = 60;

export class KeySetError extends Error {
  constructor(origin: string, problem: string) {
    super(`${origin}: ${problem}`);
    this.name = 'KeySetError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entryOf(value: unknown, origin: string, index: number): KeySetEntry {
  if (!isRecord(value)) throw new KeySetError(origin, `key ${index} is not an object`);
  const { kid, nbf, pem, ...jwk } = value;
  if (typeof kid !== 'string' || kid === '')
    throw new KeySetError(origin, `key ${index} has no kid`);
  if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf)))
    throw new KeySetError(origin, `key ${kid}: nbf must be seconds since the epoch`);
  if (pem !== undefined && typeof pem !== 'string')
    throw new KeySetError(origin, `key ${kid}: pem must be a string`);
  return { kid, nbf: nbf ?? 0, material: pem ?? { ...jwk, kid } };
}

/**
 * Reads signing keys from configuration text: a JSON key set (`{"keys": [...]}`, each a private
 * JWK or `{kid, pem}`, with an optional `nbf`), a single private JWK, or one PKCS#8 PEM (whose kid
 * is then its thumbprint, `kid: ''` here). A single key signs at once.
 */
export function parseKeySet(text: string, origin: string): KeySetEntry[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return [{ kid: '', nbf: 0, material: trimmed }];
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new KeySetError(origin, 'neither JSON nor a PEM private key');
  }
  if (isRecord(parsed) && Array.isArray(parsed.keys)) {
    const entries = parsed.keys.map((key, index) => entryOf(key, origin, index));
    if (entries.length === 0) throw new KeySetError(origin, 'the key set has no keys');
    if (new Set(entries.map((e) => e.kid)).size !== entries.length)
      throw new KeySetError(origin, 'two keys have the same kid');
    return entries;
  }
  if (isRecord(parsed)) {
    const kid = typeof parsed.kid === 'string' ? parsed.kid : '';
    return [{ kid, nbf: 0, material: { ...parsed, kid } }];
  }
  throw new KeySetError(origin, 'expected a JWK or a JSON key set');
}

export function serializeKeySet(entries: readonly KeySetEntry[]): string {
  const keys = entries.map(({ kid, nbf, material }) =>
    typeof material === 'string' ? { kid, nbf, pem: material } : { ...material, kid, nbf },
  );
  return `${JSON.stringify({ keys }, null, 2)}\n`;
}

/** What each key is doing at `now` (seconds): the one that signs, and which are published. */
export interface KeyRoles {
  signer: string;
  /** Every key that may verify a live token, or will sign soon. */
  published: string[];
  /** Keys whose last token has expired: the rotation drops them. */
  retired: string[];
}

/**
 * The newest key whose `nbf` has come signs (the earliest, if none has: never no signer). A key
 * stays published until `ttlSeconds` (plus skew) after the next key took over.
 */
export function keyRoles(
  entries: readonly Pick<KeySetEntry, 'kid' | 'nbf'>[],
  now: number,
  ttlSeconds = MAX_TOKEN_TTL_SECONDS,
): KeyRoles {
  const byStart = [...entries].sort((a, b) => a.nbf - b.nbf);
  const first = byStart[0];
  if (!first) throw new Error('no signing key');
  const started = byStart.filter((e) => e.nbf <= now);
  const signer = started.at(-1) ?? first;
  const published: string[] = [];
  const retired: string[] = [];
  byStart.forEach((entry, index) => {
    const successor = byStart[index + 1];
    const supersededAt = successor && successor.nbf <= now ? successor.nbf : Infinity;
    if (entry !== signer && supersededAt + ttlSeconds + SKEW_SECONDS <= now)
      retired.push(entry.kid);
    else published.push(entry.kid);
  });
  return { signer: signer.kid, published, retired };
}

/**
 * The key set after a rotation at `now`: `next` added, signing from `now + delaySeconds` (never
 * sooner than the verifiers can learn it), and the keys whose last token has expired dropped.
 */
export function rotateKeySet(
  entries: readonly KeySetEntry[],
  next: Omit<KeySetEntry, 'nbf'>,
  now: number,
  options: { delaySeconds?: number; ttlSeconds?: number } = {},
): { keys: KeySetEntry[]; added: KeySetEntry; retired: string[] } {
  const delaySeconds = options.delaySeconds ?? DEFAULT_ROTATION_DELAY_SECONDS;
  if (delaySeconds < PUBLISH_BEFORE_SIGNING_SECONDS) {
    throw new Error(
      `a new key must be published ${PUBLISH_BEFORE_SIGNING_SECONDS}s or more before it signs`,
    );
  }
  if (entries.some((e) => e.kid === next.kid)) throw new Error(`kid ${next.kid} is taken`);
  // The first key of a new set signs at once: no verifier is waiting for it.
  if (entries.length === 0)
    return { keys: [{ ...next, nbf: now }], added: { ...next, nbf: now }, retired: [] };
  // After the newest scheduled key, so two rotations in a row never shorten a key's notice.
  const latest = Math.max(...entries.map((e) => e.nbf));
  const added = { ...next, nbf: Math.max(now + delaySeconds, latest + 1) };
  const { retired } = keyRoles(entries, now, options.ttlSeconds);
  const keys = [...entries.filter((e) => !retired.includes(e.kid)), added];
  return { keys, added, retired };
}
