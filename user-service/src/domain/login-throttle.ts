import { clientNetwork } from '@marketplace/service-kit';
import { FailureBackoff, type BackoffPolicy } from './failure-backoff.ts';

export interface LoginThrottlePolicy {
  /** One e-mail from one client network: the owner's typos, one guesser at one account. */
  pair: BackoffPolicy;
  /** One client network over every e-mail: one guesser trying many accounts. */
  network: BackoffPolicy;
  /**
   * One e-mail over every network, applied only to networks that have failed on it: many
   * addresses guessing one account slow each other down, while a network with no failure on the
   * account (its owner elsewhere) is never held up by it.
   */
  account: BackoffPolicy;
}

const HOUR_MS = 3_600_000;
const FIFTEEN_MINUTES_MS = 900_000;

/** The policy the README describes. */
export const LOGIN_THROTTLE_POLICY: LoginThrottlePolicy = {
  pair: {
    threshold: 5,
    baseDelayMs: 2_000,
    maxDelayMs: FIFTEEN_MINUTES_MS,
    forgetAfterMs: HOUR_MS,
  },
  network: {
    threshold: 20,
    baseDelayMs: 2_000,
    maxDelayMs: FIFTEEN_MINUTES_MS,
    forgetAfterMs: HOUR_MS,
  },
  account: {
    threshold: 10,
    baseDelayMs: 2_000,
    maxDelayMs: FIFTEEN_MINUTES_MS,
    forgetAfterMs: HOUR_MS,
  },
};

export interface LoginThrottleOptions {
  policy?: LoginThrottlePolicy;
  /** Keys remembered at most per counter; the least recently failed are forgotten first. */
  maxKeys?: number;
  now?: () => number;
}

/**
 * Failed logins counted per (e-mail, client network), per client network and per e-mail, each
 * with exponential back-off; a client network is an IPv4 address or an IPv6 /64. E-mails are
 * counted whether an account has them or not, so throttling reveals no accounts. In this
 * process's memory: each instance counts the attempts it sees.
 */
export class LoginThrottle {
  private readonly pairs: FailureBackoff;
  private readonly networks: FailureBackoff;
  private readonly accounts: FailureBackoff;

  constructor(options: LoginThrottleOptions = {}) {
    const policy = options.policy ?? LOGIN_THROTTLE_POLICY;
    const common = {
      ...(options.maxKeys === undefined ? {} : { maxKeys: options.maxKeys }),
      ...(options.now === undefined ? {} : { now: options.now }),
    };
    this.pairs = new FailureBackoff({ ...policy.pair, ...common });
    this.networks = new FailureBackoff({ ...policy.network, ...common });
    this.accounts = new FailureBackoff({ ...policy.account, ...common });
  }

  /**
   * The seconds to wait before this attempt may be made, or null when it may go ahead. An attempt
   * let through counts as a failure at once (until {@link succeeded} or {@link abandoned}), so
   * parallel guesses cannot all slip through before the first one fails.
   */
  begin(email: string, ip: string): number | null {
    const { pair, network } = keys(email, ip);
    const waits = [this.pairs.waitMs(pair), this.networks.waitMs(network)];
    if (this.pairs.count(pair) > 0) waits.push(this.accounts.waitMs(email));
    const wait = Math.max(...waits);
    if (wait > 0) return Math.max(1, Math.ceil(wait / 1000));
    this.pairs.fail(pair);
    this.networks.fail(network);
    this.accounts.fail(email);
    return null;
  }

  /** The password was right: this pair starts afresh, and the attempt is no failure elsewhere. */
  succeeded(email: string, ip: string): void {
    const { pair, network } = keys(email, ip);
    this.pairs.reset(pair);
    this.networks.refund(network);
    this.accounts.refund(email);
  }

  /** The password was never checked (the hasher was busy, the client left): not a failure. */
  abandoned(email: string, ip: string): void {
    const { pair, network } = keys(email, ip);
    this.pairs.refund(pair);
    this.networks.refund(network);
    this.accounts.refund(email);
  }
}

function keys(email: string, ip: string): { pair: string; network: string } {
  const network = clientNetwork(ip);
  return { pair: `${email}\n${network}`, network };
}
