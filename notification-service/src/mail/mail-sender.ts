import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import { gaugesFromQuery, type Logger, type Registry } from '@marketplace/events';
import { PeriodicTask } from '@marketplace/tasks';
import type { DB } from '../data/schema.ts';
import {
  claimDueMails,
  mailBacklog,
  markFailed,
  markSent,
  pruneSentMails,
  type DueMail,
} from './mail-outbox.repository.ts';

export interface MailSenderOptions {
  db: Kysely<DB>;
  smtpUrl: string;
  from: string;
  logger: Logger;
  registry?: Registry;
  /** How often to look for due mails when nobody nudged (a retry's time came, say). */
  pollIntervalMs?: number;
  /** The first retry's wait; it doubles per attempt up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Tries of a mail the server refuses for good (5xx) before it is given up on. */
  maxRefusals?: number;
  batchSize?: number;
  /** How long a sent mail is kept (for support questions); default 30 days. */
  keepSentDays?: number;
}

const PRUNE_BATCH = 5_000;

const CLAIM_SECONDS = 120;

/**
 * Sends the mail outbox through SMTP: claims due mails, sends them, marks each sent the moment
 * the server took it. A server that is down or answers 4xx is retried with capped back-off for
 * as long as it takes; a mail it refuses outright (5xx) is given up on after `maxRefusals`.
 * Every mail has the Message-ID `<notification id@marketplace>`: a crash between the server's
 * "queued" and the mark can send it twice, and that id lets a mail system tell.
 */
export class MailSender {
  private readonly transport: Transporter;
  private readonly task: PeriodicTask<number>;
  private readonly prune: PeriodicTask<number>;
  private readonly instance = randomUUID();
  private pass = 0;

  constructor(private readonly options: MailSenderOptions) {
    this.transport = nodemailer.createTransport(smtpOptions(options.smtpUrl));
    this.task = new PeriodicTask({
      name: 'mail-outbox',
      run: () => this.sendDue(),
      intervalMs: options.pollIntervalMs ?? 1_000,
      firstDelayMs: 0,
      hasMore: (sent) => sent >= (options.batchSize ?? 20),
      logger: options.logger,
      ...(options.registry ? { registry: options.registry } : {}),
    });
    this.prune = new PeriodicTask({
      name: 'mail-outbox-prune',
      run: () => this.pruneOnce(),
      intervalMs: 3_600_000,
      hasMore: (deleted) => deleted >= PRUNE_BATCH,
      logger: options.logger,
      ...(options.registry ? { registry: options.registry } : {}),
    });
    if (options.registry) this.registerGauges(options.registry);
  }

  /** Deletes one batch of mails sent longer ago than `keepSentDays`; returns how many. */
  pruneOnce(): Promise<number> {
    return pruneSentMails(this.options.db, this.options.keepSentDays ?? 30, PRUNE_BATCH);
  }

  start(): void {
    this.task.start();
    this.prune.start();
  }

  /** After a commit that queued mails: send them now. */
  nudge(): void {
    this.task.nudge();
  }

  async stop(): Promise<void> {
    await this.prune.stop();
    await this.task.stop();
    this.transport.close();
  }

  /** One pass; returns how many mails were sent. */
  async sendDue(): Promise<number> {
    const { db } = this.options;
    const mails = await claimDueMails(
      db,
      `${this.instance}:${++this.pass}`,
      this.options.batchSize ?? 20,
      CLAIM_SECONDS,
    );
    // Sent side by side over the transport's pooled connections.
    const results = await Promise.all(mails.map((mail) => this.sendOne(mail)));
    return results.filter(Boolean).length;
  }

  private async sendOne(mail: DueMail): Promise<boolean> {
    const { db, logger } = this.options;
    try {
      await this.transport.sendMail({
        from: this.options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${mail.notificationId}@marketplace>`,
      });
    } catch (error) {
      const attempt = mail.attempts + 1;
      const refused = smtpResponseCode(error) >= 500;
      const final = refused && attempt >= (this.options.maxRefusals ?? 5);
      const delay = Math.min(
        (this.options.retryDelayMs ?? 1_000) * 2 ** (attempt - 1),
        this.options.maxRetryDelayMs ?? 600_000,
      );
      const reason = error instanceof Error ? error.message : String(error);
      logger.warn(
        { err: error, mailId: mail.id, attempt, retryInMs: final ? undefined : delay },
        final ? 'mail refused for good; given up' : 'mail not sent; will retry',
      );
      await markFailed(db, mail.id, reason, delay, final);
      return false;
    }
    await markSent(db, mail.id);
    logger.info({ mailId: mail.id, notificationId: mail.notificationId }, 'mail sent');
    return true;
  }

  private registerGauges(registry: Registry): void {
    gaugesFromQuery(
      registry,
      () => mailBacklog(this.options.db),
      { pending: 0, oldestSeconds: 0, failed: 0 },
      [
        {
          name: 'mail_outbox_pending',
          help: 'Mails not yet taken by the SMTP server',
          value: (b) => b.pending,
        },
        {
          name: 'mail_outbox_oldest_pending_seconds',
          help: 'Age of the oldest mail not yet sent',
          value: (b) => b.oldestSeconds,
        },
        {
          name: 'mail_outbox_failed',
          help: 'Mails the SMTP server refused for good',
          value: (b) => b.failed,
        },
      ],
    );
  }
}

/** `smtp[s]://[user:pass@]host[:port]` as nodemailer's options, with short timeouts. */
export function smtpOptions(url: string) {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'smtps:';
  return {
    host: parsed.hostname,
    port: Number(parsed.port) || (secure ? 465 : 25),
    secure,
    ...(parsed.username
      ? {
          auth: {
            user: decodeURIComponent(parsed.username),
            pass: decodeURIComponent(parsed.password),
          },
        }
      : {}),
    // A few connections kept open and reused: a handshake per mail caps a sender near 10/s.
    pool: true,
    maxConnections: 4,
    maxMessages: 1_000,
    // A down server fails a send in seconds, not minutes.
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 15_000,
  };
}

function smtpResponseCode(error: unknown): number {
  return typeof error === 'object' && error !== null && 'responseCode' in error
    ? Number(error.responseCode)
    : 0;
}
