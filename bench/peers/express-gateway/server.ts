/**
 * The bench's peer: an API gateway as a typical Node team writes it. Express, a JWT check of the
 * access token against user-service's JWKS (fetched once at start), and http-proxy-middleware
 * forwarding `/api` to product-service. Written plainly, as such a team would: no tuning and no
 * handicap. Not part of the product; `npm run bench` builds and starts it.
 *
 * jose verifies the token rather than jsonwebtoken: our access tokens are EdDSA (Ed25519), an
 * algorithm jsonwebtoken 9 refuses ('"algorithm" must be a valid string enum value').
 */
import { Agent } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const PORT = Number(process.env.PORT ?? 8080);
const HOST = process.env.HOST ?? '127.0.0.1';
const PRODUCT_SERVICE_URL = required('PRODUCT_SERVICE_URL');
const JWKS_URL = required('JWKS_URL');
const ISSUER = process.env.JWT_ISSUER ?? 'marketplace-user-service';
const AUDIENCE = process.env.JWT_AUDIENCE ?? 'marketplace';

const jwksResponse = await fetch(JWKS_URL);
if (!jwksResponse.ok) throw new Error(`JWKS ${JWKS_URL} answered ${jwksResponse.status}`);
const keys = createLocalJWKSet((await jwksResponse.json()) as JSONWebKeySet);

/** A token, when sent, must be valid; requests without one go on (the service decides). */
async function authenticate(req: Request, res: Response, next: NextFunction): Promise<void> {
  const header = req.headers.authorization;
  if (!header) {
    next();
    return;
  }
  const [scheme, token] = header.split(' ');
  try {
    if (scheme !== 'Bearer' || !token) throw new Error('not a bearer token');
    const { payload } = await jwtVerify(token, keys, {
      algorithms: ['EdDSA'],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    res.locals.user = payload;
  } catch {
    res.status(401).json({ error: 'invalid_token' });
    return;
  }
  next();
}

const app = express();
app.disable('x-powered-by');
app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});
app.use(
  '/api',
  authenticate,
  createProxyMiddleware({
    target: `${PRODUCT_SERVICE_URL}/api`,
    // Without an agent http-proxy opens a connection per request (and sends Connection: close);
    // the gateway pools its upstream connections and nginx is given `keepalive 64`.
    agent: new Agent({ keepAlive: true }),
  }),
);

const server = app.listen(PORT, HOST, () => {
  console.log(`express gateway on http://${HOST}:${PORT}, /api -> ${PRODUCT_SERVICE_URL}`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
