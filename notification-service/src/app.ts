import type { Kysely } from 'kysely';
import { prepareDatabase, serviceDatabase } from '@marketplace/db';
import {
  createBroker,
  DeadLetterDesk,
  pingBroker,
  UnroutedCollector,
  type Logger,
} from '@marketplace/events';
import { verifierFromConfig, type AccessTokenVerifier } from '@marketplace/jwt';
import { createServiceApp, type ServiceApp } from '@marketplace/service-kit';
import { migrations } from '../migrations/index.ts';
import type { Config } from './config.ts';
import type { DB } from './data/schema.ts';
import { isBlocked } from './data/account-state.repository.ts';
import { NotificationService } from './domain/notification.service.ts';
import { createNotificationConsumer } from './events/notification.consumer.ts';
import { LiveFanout } from './live/live-fanout.ts';
import { NotificationHub } from './live/notification.hub.ts';
import { feedAfter, feedHead, feedSeqOf } from './data/notification.repository.ts';
import { toPublicNotification } from './domain/notification.model.ts';
import { seedDemoRecipients } from './demo/seed.ts';
import { MailSender } from './mail/mail-sender.ts';
import { registerDeadLetterRoutes } from './routes/dead-letter.routes.ts';
import { registerNotificationRoutes } from './routes/notification.routes.ts';
import { registerStreamRoutes } from './routes/stream.routes.ts';

export interface AppDeps {
  /** Tests pass `createTestTokens().verifier`; otherwise the JWKS at JWKS_URL is used. */
  verifier?: AccessTokenVerifier;
  /** `false` silences logs (tests). */
  logger?: boolean;
  /** SSE heartbeat interval; tests shorten it. */
  heartbeatMs?: number;
}

/** Everything before buildApp at start: the database and its migrations. */
export async function prepare(config: Config, logger: Logger): Promise<void> {
  await prepareDatabase<DB>(
    { url: config.MYSQL_URL, database: config.DB_NAME },
    migrations,
    async (db) => {
      if (!config.SEED_DEMO) return;
      // The demo accounts are seeded by user-service without events: mail needs their addresses.
      await seedDemoRecipients(db);
      logger.info({ database: config.DB_NAME }, 'demo recipients seeded');
    },
  );
  logger.info({ database: config.DB_NAME }, 'database ready');
}

/**
 * The notification service: consumes events into stored notifications, serves them, and streams
 * new ones live. Never listens; the consumer starts when the app is ready.
 */
export async function buildApp(
  config: Config,
  deps: AppDeps = {},
): Promise<{ app: ServiceApp; db: Kysely<DB>; hub: NotificationHub; live: LiveFanout }> {
  const database = serviceDatabase<DB>({ url: config.MYSQL_URL, database: config.DB_NAME });
  const { db } = database;
  const app = await createServiceApp({
    name: 'notification-service',
    description: 'In-app notifications, from domain events; live over Server-Sent Events.',
    config,
    logger: deps.logger,
    unavailable: database.isUnavailable,
    readiness: { database: database.ready, broker: () => pingBroker(broker) },
  });
  database.observe(app.metrics);
  const broker = createBroker(config.RABBITMQ_URL, app.log, 'notification-service');
  const verifier = deps.verifier ?? verifierFromConfig(config);

  const hub = new NotificationHub();
  // Pushes reach every instance's streams through the broker, not this process's memory.
  const live = new LiveFanout({
    broker,
    exchange: `${config.EVENTS_EXCHANGE}.live`,
    hub,
    logger: app.log,
  });
  // Mails leave from their outbox, after the in-app notification is stored, at the SMTP
  // server's pace: an SMTP outage never holds up an event.
  const mailer = new MailSender({
    db,
    smtpUrl: config.SMTP_URL,
    from: config.MAIL_FROM,
    logger: app.log,
    registry: app.metrics,
  });
  const consumer = createNotificationConsumer({
    broker,
    db,
    logger: app.log,
    exchange: config.EVENTS_EXCHANGE,
    queue: config.EVENTS_QUEUE,
    live,
    registry: app.metrics,
    appUrl: config.PUBLIC_URL,
    mailer,
  });

  // Events no queue was bound for are kept here, for operators to list and replay.
  const unrouted = new UnroutedCollector({
    broker,
    db,
    logger: app.log,
    exchange: config.EVENTS_EXCHANGE,
    registry: app.metrics,
  });
  const desk = new DeadLetterDesk(db, broker);

  registerNotificationRoutes(app, verifier, new NotificationService(db));
  registerDeadLetterRoutes(app, verifier, desk);
  registerStreamRoutes(app, verifier, hub, {
    isBlocked: (userId) => isBlocked(db, userId),
    feed: {
      head: (userId) => feedHead(db, userId),
      seqOf: (userId, id) => feedSeqOf(db, userId, id),
      after: async (userId, afterSeq, limit) =>
        (await feedAfter(db, userId, afterSeq, limit)).map(({ seq, notification }) => ({
          seq,
          notification: toPublicNotification(notification),
        })),
    },
    heartbeatMs: deps.heartbeatMs,
  });

  // Started once the app is ready: by then prepare has migrated the database.
  app.addHook('onReady', async () => {
    live.start();
    mailer.start();
    consumer.start();
    unrouted.start();
  });
  // Live streams never end by themselves; end them first, or closing would wait for them.
  app.addHook('preClose', async () => hub.closeAll());
  app.addHook('onClose', async () => {
    await consumer.stop();
    await live.stop();
    await mailer.stop();
    await unrouted.stop();
    await desk.close();
    await broker.close();
    await db.destroy();
  });
  return { app, db, hub, live };
}
