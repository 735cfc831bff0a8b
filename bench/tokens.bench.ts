/**
 * What verifying an access token costs the gateway: the verifier it builds (`verifierFromConfig`,
 * the JWKS fetched over HTTP from a local server as from user-service), with its verified-token
 * cache and without it, in one process. Prints verifications per second and p50/p99 per
 * verification. Run: `npm run bench:tokens`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import {
  createAccessTokenVerifier,
  createTokenIssuer,
  generateSigningKey,
  importPrivateKey,
  verifierFromConfig,
  type AccessTokenVerifier,
} from '@marketplace/jwt';

const VERIFICATIONS = Number(process.env.BENCH_VERIFICATIONS ?? 20_000);
/** Distinct tokens presented in turn: about the users active within one token lifetime. */
const TOKENS = Number(process.env.BENCH_TOKENS ?? 1_000);
const ISSUER = 'marketplace-user-service';
const AUDIENCE = 'marketplace';

const key = await generateSigningKey();
const server = createServer((_request, response) => {
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ keys: [key.publicJwk] }));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;

const issuer = createTokenIssuer({
  privateKey: await importPrivateKey(key.privateJwk),
  kid: key.kid,
  issuer: ISSUER,
  audience: AUDIENCE,
  ttlSeconds: 900,
});
const tokens = await Promise.all(
  Array.from({ length: TOKENS }, () => issuer.sign({ userId: randomUUID(), role: 'buyer' })),
);

interface Result {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
}

async function measure(name: string, verifier: AccessTokenVerifier): Promise<Result> {
  // Warm-up: JIT, the JWKS fetch, and (for the cached verifier) every token verified once.
  for (const token of tokens) await verifier.verify(token);
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < VERIFICATIONS; i += 1) {
    const before = performance.now();
    await verifier.verify(tokens[i % tokens.length] ?? '');
    latencies.push(performance.now() - before);
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { name, perSecond: VERIFICATIONS / seconds, p50: at(0.5), p99: at(0.99) };
}

const config = { JWKS_URL: jwksUrl, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE };
const results = [
  await measure(
    'uncached (signature checked)',
    createAccessTokenVerifier({
      jwks: jwksUrl,
      issuer: ISSUER,
      audience: AUDIENCE,
      cacheSize: 0,
    }),
  ),
  await measure('cached (gateway default)', verifierFromConfig(config)),
];
server.close();

const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
console.log(
  `\ntoken verifications, ${VERIFICATIONS} each over ${TOKENS} tokens, one at a time (Node ${process.version})\n`,
);
console.log(
  `${'verifier'.padEnd(30)} ${'verif/s'.padStart(10)} ${'p50'.padStart(10)} ${'p99'.padStart(10)}`,
);
for (const r of results) {
  console.log(
    `${r.name.padEnd(30)} ${Math.round(r.perSecond).toString().padStart(10)} ${us(r.p50).padStart(10)} ${us(r.p99).padStart(10)}`,
  );
}
const [uncached, cached] = results;
if (uncached && cached)
  console.log(`\ncache speed-up: ×${(cached.perSecond / uncached.perSecond).toFixed(1)}`);
