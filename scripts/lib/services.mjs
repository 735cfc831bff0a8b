import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MYSQL_URL, DEFAULT_RABBITMQ_URL } from './preflight.mjs';

/**
 * The five services in start order: user-service first (everyone verifies tokens with its JWKS),
 * then the three domain services together, then the gateway in front of them.
 */
export const SERVICES = [
  ['user-service', 'user', 'USER_SERVICE', 8081, 0],
  ['product-service', 'product', 'PRODUCT_SERVICE', 8082, 1],
  ['order-service', 'order', 'ORDER_SERVICE', 8083, 1],
  ['notification-service', 'notification', 'NOTIFICATION_SERVICE', 8084, 1],
  ['gateway', 'gateway', 'GATEWAY', 8080, 2],
].map(([name, label, prefix, port, stage]) => ({
  name,
  label,
  port,
  stage,
  portVar: `${prefix}_PORT`,
  // How the other services find this one (the gateway's is never needed).
  urlVar: `${prefix}_URL`,
  // Optional: run a second stack beside the first on the same MySQL server.
  dbVar: `${prefix}_DB_NAME`,
  // The gateway's /ready is on its internal ops port; it starts after user-service (its JWKS) is
  // ready, so its public /health says enough.
  readyPath: name === 'gateway' ? '/health' : '/ready',
}));

// Set per service by this script; inherited values would make all five share one port or schema.
const PER_SERVICE = ['PORT', 'DB_NAME'];

function portOf(service, env) {
  const raw = env[service.portVar];
  if (raw === undefined || raw === '') return service.port;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${service.portVar}=${raw} is not a TCP port (1–65535)`);
  }
  return port;
}

/** Where the script (and the services among themselves) reach a service bound to HOST. */
export function connectHost(env) {
  const host = env.HOST;
  return !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

/**
 * The plan of a local run: each service with its port, URL and complete environment.
 * Every variable can be overridden from the caller's environment.
 */
export function planServices(root, env = process.env) {
  const host = connectHost(env);
  const withPorts = SERVICES.map((service) => {
    const port = portOf(service, env);
    const hostPart = host.includes(':') ? `[${host}]` : host;
    return { ...service, port, url: `http://${hostPart}:${port}` };
  });
  const byName = Object.fromEntries(withPorts.map((s) => [s.name, s]));
  const shared = {
    MYSQL_URL: env.MYSQL_URL || DEFAULT_MYSQL_URL,
    RABBITMQ_URL: env.RABBITMQ_URL || DEFAULT_RABBITMQ_URL,
    SEED_DEMO: env.SEED_DEMO || 'true',
    JWKS_URL: env.JWKS_URL || `${byName['user-service'].url}/.well-known/jwks.json`,
    FRONTEND_DIST: env.FRONTEND_DIST || join(root, 'frontend', 'dist'),
    // A developer sees every request; production's default logs a sample of the successful ones.
    REQUEST_LOG_SAMPLE: env.REQUEST_LOG_SAMPLE || '1',
  };
  for (const service of withPorts) {
    if (service.name !== 'gateway') shared[service.urlVar] = env[service.urlVar] || service.url;
  }
  const inherited = { ...env };
  for (const key of PER_SERVICE) delete inherited[key];
  return withPorts.map((service) => {
    const own = { ...inherited, ...shared, PORT: String(service.port) };
    if (inherited[service.dbVar]) own.DB_NAME = inherited[service.dbVar];
    return { ...service, env: own };
  });
}

// Fallbacks in case libs/contracts/src/demo.ts cannot be read; that file is the source of truth.
const DEMO_FALLBACK = {
  password: 'marketplace-demo',
  buyer: 'buyer@demo.marketplace.test',
  seller: 'northwind@demo.marketplace.test',
  admin: 'admin@demo.marketplace.test',
};

/** The demo accounts, read from the seed's shared constants so the banner never drifts from them. */
export function demoAccounts(root) {
  let text;
  try {
    text = readFileSync(join(root, 'libs', 'contracts', 'src', 'demo.ts'), 'utf8');
  } catch {
    return DEMO_FALLBACK;
  }
  const emailAfter = (name) =>
    new RegExp(`${name}\\s*=[\\s\\S]*?email:\\s*['"]([^'"]+)['"]`).exec(text)?.[1];
  return {
    password: /DEMO_PASSWORD\s*=\s*['"]([^'"]+)['"]/.exec(text)?.[1] ?? DEMO_FALLBACK.password,
    buyer: emailAfter('DEMO_BUYER') ?? DEMO_FALLBACK.buyer,
    seller: emailAfter('DEMO_SELLERS') ?? DEMO_FALLBACK.seller,
    admin: emailAfter('DEMO_ADMIN') ?? DEMO_FALLBACK.admin,
  };
}

/**
 * The development mail catcher (maildev: an SMTP server that keeps every mail, and a web inbox)
 * that `npm start` runs beside the services, or null when SMTP_URL names a real server.
 */
export function planMailCatcher(root, env = process.env) {
  if (env.SMTP_URL) return null;
  const host = connectHost(env);
  const port = portOf({ portVar: 'MAIL_UI_PORT', port: 1080 }, env);
  const smtpPort = portOf({ portVar: 'MAIL_SMTP_PORT', port: 1025 }, env);
  return {
    name: 'mail-catcher',
    label: 'mail',
    port,
    smtpPort,
    portVar: 'MAIL_UI_PORT',
    url: `http://${host}:${port}`,
    smtpUrl: `smtp://${host}:${smtpPort}`,
    // Its web UI answers browsers only (Accept: text/html); this is its health check.
    readyPath: '/api/healthz',
    command: [
      join(root, 'node_modules', 'maildev', 'dist', 'bin', 'maildev.js'),
      '--smtp',
      String(smtpPort),
      '--ip',
      host,
      '--web',
      String(port),
      '--web-ip',
      host,
      '--max-emails',
      '500',
    ],
    env: { ...env },
  };
}
