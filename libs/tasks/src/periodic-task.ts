import { Counter, type Registry } from 'prom-client';

/** The part of pino (and Fastify's logger) a task needs. */
export interface Logger {
  warn(obj: object, msg?: string): void;
}

export interface PeriodicTaskOptions<T> {
  /** Names the task in logs and in the `task` label of its metrics. */
  name: string;
  /** The work of one run; `signal` aborts when the task is stopped, so a long run can end early. */
  run: (signal: AbortSignal) => Promise<T>;
  intervalMs: number;
  logger: Logger;
  /** Each wait is the interval ± this fraction of it, so instances drift apart; default 0.1. */
  jitter?: number;
  /** The wait before the first run, without jitter; by default a jittered interval. */
  firstDelayMs?: number;
  /** Whether a run's result says more work is waiting: then the next run starts at once. */
  hasMore?: (result: T) => boolean;
  /** Counts runs and failures on it (`periodic_task_runs_total`, `periodic_task_failures_total`). */
  registry?: Registry;
  /** For tests: the source of jitter, in [0, 1). */
  random?: () => number;
}

/** What a service passes on to a loop built on PeriodicTask: its pace and where it counts. */
export type TaskSettings = Pick<PeriodicTaskOptions<unknown>, 'intervalMs' | 'registry'>;

// setTimeout fires at once (with a warning) for delays past a signed 32-bit millisecond count.
const MAX_DELAY_MS = 2 ** 31 - 1;

type State = 'idle' | 'started' | 'stopped';

interface TaskMetrics {
  runs: Counter;
  failures: Counter;
}

function counter(registry: Registry, name: string, help: string): Counter {
  // Every task of a process shares the two counters, told apart by the label.
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({ name, help, labelNames: ['task'], registers: [registry] });
}

function taskMetrics(registry: Registry): TaskMetrics {
  return {
    runs: counter(registry, 'periodic_task_runs_total', 'Runs of background tasks, by task'),
    failures: counter(
      registry,
      'periodic_task_failures_total',
      'Runs of background tasks that threw, by task',
    ),
  };
}

/**
 * Runs a job every `intervalMs` (jittered) in the background. A run never overlaps the previous
 * one; the timers are unref'ed, so a task never keeps the process alive. A failed run is logged
 * and counted, and the next one comes at the usual time.
 */
export class PeriodicTask<T = unknown> {
  /** Runs finished so far, failed ones included. */
  runs = 0;
  failures = 0;
  /** Failures since the last run that succeeded. */
  consecutiveFailures = 0;

  private state: State = 'idle';
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  /** Set before the job is called, so a nudge from inside the job cannot start a second run. */
  private busy = false;
  private nudged = false;
  private readonly abort = new AbortController();
  private readonly jitter: number;
  private readonly metrics: TaskMetrics | undefined;

  constructor(private readonly options: PeriodicTaskOptions<T>) {
    const { name, intervalMs, firstDelayMs } = options;
    this.jitter = options.jitter ?? 0.1;
    if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
      throw new Error(`task ${name}: intervalMs must be a positive number, got ${intervalMs}`);
    }
    if (!(this.jitter >= 0 && this.jitter < 1)) {
      throw new Error(`task ${name}: jitter must be in [0, 1), got ${this.jitter}`);
    }
    if (firstDelayMs !== undefined && !(firstDelayMs >= 0)) {
      throw new Error(`task ${name}: firstDelayMs must not be negative, got ${firstDelayMs}`);
    }
    this.metrics = options.registry ? taskMetrics(options.registry) : undefined;
  }

  get name(): string {
    return this.options.name;
  }

  /** Schedules the first run. A started or stopped task ignores it. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'started';
    this.schedule(this.options.firstDelayMs ?? this.nextDelay());
  }

  /** Runs as soon as possible: now when idle, right after the current run when one is under way. */
  nudge(): void {
    if (this.state !== 'started') return;
    if (this.busy) this.nudged = true;
    else this.schedule(0);
  }

  /** No run starts after this; waits for the one under way (whose signal is aborted). */
  async stop(): Promise<void> {
    this.state = 'stopped';
    clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.current;
  }

  /** The wait before the next regular run: the interval ± jitter. */
  nextDelay(): number {
    const random = this.options.random ?? Math.random;
    const spread = this.jitter * (2 * random() - 1);
    return Math.round(this.options.intervalMs * (1 + spread));
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), Math.min(Math.max(delayMs, 0), MAX_DELAY_MS));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.nudged = false;
    this.busy = true;
    this.current = this.runOnce().then((more) => {
      this.busy = false;
      this.current = undefined;
      if (this.state !== 'started') return;
      this.schedule(more || this.nudged ? 0 : this.nextDelay());
    });
  }

  /** One run; never throws. Resolves whether to run again at once. */
  private async runOnce(): Promise<boolean> {
    const { name, run, hasMore, logger } = this.options;
    try {
      const result = await run(this.abort.signal);
      this.consecutiveFailures = 0;
      return hasMore?.(result) ?? false;
    } catch (error) {
      this.failures++;
      this.consecutiveFailures++;
      this.metrics?.failures.inc({ task: name });
      logger.warn(
        { err: error, task: name, consecutiveFailures: this.consecutiveFailures },
        `${name} failed; will retry`,
      );
      return false;
    } finally {
      this.runs++;
      this.metrics?.runs.inc({ task: name });
    }
  }
}

/** Creates a task and starts it. */
export function startPeriodicTask<T>(options: PeriodicTaskOptions<T>): PeriodicTask<T> {
  const task = new PeriodicTask(options);
  task.start();
  return task;
}
