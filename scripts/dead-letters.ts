// `npm run dead-letters -- list|replay`: what GET/POST /api/admin/dead-letters do, for an
// operator at a shell (no admin token needed, only the database and the broker). Both consuming
// services park: notification-service (its events and every unrouted one) and product-service.
import { parseArgs } from 'node:util';
import { createDb } from '@marketplace/db';
import { createBroker, DeadLetterDesk, type DeadLetter } from '@marketplace/events';

const SERVICES = {
  notification: process.env.NOTIFICATION_DB_NAME ?? 'marketplace_notifications',
  product: process.env.PRODUCT_DB_NAME ?? 'marketplace_products',
} as const;
type Service = keyof typeof SERVICES;

const USAGE = `usage:
  npm run dead-letters -- list   [--service notification|product] [--all] [--limit N] [--json]
  npm run dead-letters -- replay <id> [--service notification|product]
env: MYSQL_URL (default mysql://root@127.0.0.1:3306), RABBITMQ_URL,
     NOTIFICATION_DB_NAME, PRODUCT_DB_NAME`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    service: { type: 'string', default: 'notification' },
    all: { type: 'boolean', default: false },
    limit: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
  },
});
const [command, id] = positionals;
const service = values.service as Service;
if (!(service in SERVICES)) fail(`--service must be one of ${Object.keys(SERVICES).join(', ')}`);
const limit = Number(values.limit);
if (!Number.isInteger(limit) || limit < 1 || limit > 1000) fail('--limit must be 1 to 1000');

const db = createDb({
  url: process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306',
  database: SERVICES[service],
});
const broker = createBroker(
  process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined },
  'dead-letters-cli',
);
const desk = new DeadLetterDesk(db, broker);

const line = (d: DeadLetter) =>
  [
    d.id.padStart(6),
    d.parkedAt.toISOString(),
    (d.type ?? '?').padEnd(22),
    `x${d.attempts}`.padEnd(4),
    d.replayedAt ? `replayed ${d.replayedAt.toISOString()}` : 'parked',
    d.source,
    d.reason,
  ].join('  ');

let code = 0;
try {
  if (command === 'list') {
    const { items } = await desk.list({ all: values.all, limit });
    if (values.json) process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    else if (items.length === 0) process.stdout.write(`nothing parked in ${SERVICES[service]}\n`);
    else process.stdout.write(`${items.map(line).join('\n')}\n`);
  } else if (command === 'replay') {
    if (!id) fail('replay needs the id of a dead letter (see list)');
    const result = await desk.replay(id);
    process.stdout.write(`${id}: ${result}\n`);
    if (result !== 'replayed') code = 1;
  } else {
    fail(command ? `unknown command ${command}` : 'a command is needed');
  }
} catch (error) {
  // One line an operator can act on (no such database: the service never started here, say).
  process.stderr.write(`dead-letters: ${error instanceof Error ? error.message : String(error)}\n`);
  code = 1;
} finally {
  await desk.close();
  await broker.close();
  await db.destroy();
}
process.exit(code);
