// `npm run keys:rotate -w user-service -- [--file PATH] [--delay SECONDS] [--print-env]`: adds a
// signing key to the key set file that is published at once and signs after the delay (README
// "Signing keys"), and drops the keys whose last token has expired.
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_KEY_SET_FILE } from './data/key-set.file.ts';
import { serializeKeySet, MAX_TOKEN_TTL_SECONDS } from './domain/key-set.ts';
import { rotateKeyFile } from './domain/signing-key-source.ts';

const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    delay: { type: 'string' },
    ttl: { type: 'string' },
    'print-env': { type: 'boolean', default: false },
  },
});

// npm runs a workspace's script in the workspace: paths are the caller's, as typed.
const base = process.env.INIT_CWD ?? process.cwd();
const given = values.file ?? process.env.JWT_SIGNING_KEYS_FILE ?? DEV_KEY_SET_FILE;
const file = isAbsolute(given) ? given : resolve(base, given);
const seconds = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a number of seconds: ${value}`);
  return n;
};

try {
  const result = await rotateKeyFile(file, {
    now: Math.floor(Date.now() / 1000),
    delaySeconds: seconds(values.delay),
    ttlSeconds: seconds(values.ttl) ?? MAX_TOKEN_TTL_SECONDS,
  });
  const from = new Date(result.added.nbf * 1000).toISOString();
  console.log(`${file}: added ${result.added.kid}, published now, signs from ${from}`);
  if (result.retired.length > 0)
    console.log(`retired (last token expired): ${result.retired.join(', ')}`);
  console.log(`keys: ${result.keys.map((k) => k.kid).join(', ')}`);
  if (values['print-env'])
    console.log(`JWT_SIGNING_KEY='${JSON.stringify(JSON.parse(serializeKeySet(result.keys)))}'`);
} catch (error) {
  console.error(`keys:rotate: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
