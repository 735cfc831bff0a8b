import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeriodicTask, startPeriodicTask, type PeriodicTaskOptions } from './periodic-task.ts';

const INTERVAL = 1_000;

function silent() {
  return { warn: vi.fn<(obj: object, msg?: string) => void>() };
}

const gates: { open: () => void }[] = [];

// Fake timers put a zero-delay timer set during a tick 1 ms later: "at once" means within a few ms.
const soon = () => vi.advanceTimersByTimeAsync(10);

/** A job whose runs stay under way until `finish()` is called (or, after `open()`, never wait). */
function gatedJob() {
  let active = 0;
  let maxActive = 0;
  let blocking = true;
  let release: (() => void) | undefined;
  const job = {
    calls: 0,
    get maxActive() {
      return maxActive;
    },
    run: async () => {
      job.calls++;
      active++;
      maxActive = Math.max(maxActive, active);
      if (blocking) await new Promise<void>((resolve) => (release = resolve));
      active--;
    },
    finish: () => release?.(),
    open: () => {
      blocking = false;
      release?.();
    },
  };
  gates.push(job);
  return job;
}

function task<T>(overrides: Partial<PeriodicTaskOptions<T>> & Pick<PeriodicTaskOptions<T>, 'run'>) {
  return new PeriodicTask<T>({
    name: 'test-task',
    intervalMs: INTERVAL,
    logger: silent(),
    jitter: 0,
    ...overrides,
  });
}

describe('PeriodicTask', () => {
  const started: { stop: () => Promise<void> }[] = [];
  const track = <T>(t: PeriodicTask<T>) => {
    started.push(t);
    return t;
  };

  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(async () => {
    for (const gate of gates.splice(0)) gate.open();
    await Promise.all(started.splice(0).map((t) => t.stop()));
    vi.useRealTimers();
  });

  it('when started, then it runs once per interval after the first delay', async () => {
    const run = vi.fn(async () => undefined);
    track(startPeriodicTask({ name: 't', run, intervalMs: INTERVAL, jitter: 0, logger: silent() }));

    await vi.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(run).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(run).toHaveBeenCalledTimes(4);
  });

  it('when a first delay is given, then the first run comes after it, the rest at the interval', async () => {
    const run = vi.fn(async () => undefined);
    const t = track(task({ run, firstDelayMs: 0 }));
    t.start();

    await soon();
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(run).toHaveBeenCalledTimes(2);
    expect(t.runs).toBe(2);
  });

  it('when jitter is set, then every wait lies within the interval ± that fraction', async () => {
    const t = task({ run: async () => undefined, jitter: 0.1 });
    const delays = Array.from({ length: 1_000 }, () => t.nextDelay());
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0.9 * INTERVAL);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1.1 * INTERVAL);
    expect(new Set(delays).size).toBeGreaterThan(10);

    const early = vi.fn(async () => undefined);
    track(task({ run: early, jitter: 0.1, random: () => 0 })).start();
    await vi.advanceTimersByTimeAsync(0.9 * INTERVAL - 1);
    expect(early).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(early).toHaveBeenCalledTimes(1);

    const late = vi.fn(async () => undefined);
    track(task({ run: late, jitter: 0.1, random: () => 0.999_999 })).start();
    await vi.advanceTimersByTimeAsync(1.1 * INTERVAL - 1);
    expect(late).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('when a run outlasts the interval, then the next one waits for it to end', async () => {
    const job = gatedJob();
    track(task({ run: job.run, firstDelayMs: 0 })).start();

    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(job.calls).toBe(1);
    job.finish();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(job.calls).toBe(2);
    expect(job.maxActive).toBe(1);
  });

  it('when nudged while idle, then it runs at once', async () => {
    const run = vi.fn(async () => undefined);
    const t = track(task({ run }));
    t.start();

    t.nudge();
    await soon();
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(INTERVAL - 20);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(20);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('when nudged during a run, then it runs once more right after that run, not alongside', async () => {
    const job = gatedJob();
    const t = track(task({ run: job.run, firstDelayMs: 0 }));
    t.start();
    await soon();
    expect(job.calls).toBe(1);

    t.nudge();
    t.nudge();
    await soon();
    expect(job.calls).toBe(1);
    job.finish();
    await soon();
    expect(job.calls).toBe(2);
    job.finish();
    await vi.advanceTimersByTimeAsync(INTERVAL - 20);
    expect(job.calls).toBe(2);
    expect(job.maxActive).toBe(1);
  });

  it('when the job itself nudges, then no second run starts alongside it', async () => {
    let active = 0;
    let maxActive = 0;
    const t: PeriodicTask<void> = task({
      firstDelayMs: 0,
      run: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        t.nudge();
        await new Promise((resolve) => setTimeout(resolve, 10));
        active--;
      },
    });
    t.start();
    await vi.advanceTimersByTimeAsync(35);
    expect(t.runs).toBeGreaterThanOrEqual(3);
    expect(maxActive).toBe(1);
    const stopping = t.stop();
    await vi.advanceTimersByTimeAsync(10);
    await stopping;
  });

  it('when a run reports more work, then the next run starts at once until it reports none', async () => {
    const batches = [200, 200, 37];
    const run = vi.fn(async () => batches.shift() ?? 0);
    track(task({ run, firstDelayMs: 0, hasMore: (n: number) => n >= 200 })).start();

    await soon();
    expect(run).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(INTERVAL - 20);
    expect(run).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(20);
    expect(run).toHaveBeenCalledTimes(4);
  });

  it('when stopped during a run, then stop waits for it, aborts its signal and no run follows', async () => {
    const job = gatedJob();
    let signal: AbortSignal | undefined;
    const t = task({
      firstDelayMs: 0,
      hasMore: () => true,
      run: async (s) => {
        signal = s;
        await job.run();
      },
    });
    t.start();
    await soon();
    t.nudge();

    let stopped = false;
    const stopping = t.stop().then(() => (stopped = true));
    await soon();
    expect(stopped).toBe(false);
    expect(signal?.aborted).toBe(true);
    job.finish();
    await stopping;
    await vi.advanceTimersByTimeAsync(100 * INTERVAL);
    expect(job.calls).toBe(1);

    t.start();
    t.nudge();
    await vi.advanceTimersByTimeAsync(100 * INTERVAL);
    expect(job.calls).toBe(1);
  });

  it('when stopped while waiting, then no run comes', async () => {
    const run = vi.fn(async () => undefined);
    const t = task({ run });
    t.start();
    await t.stop();
    await vi.advanceTimersByTimeAsync(100 * INTERVAL);
    expect(run).not.toHaveBeenCalled();
  });

  it('when not started, then a nudge does nothing', async () => {
    const run = vi.fn(async () => undefined);
    const t = track(task({ run }));
    t.nudge();
    await vi.advanceTimersByTimeAsync(100 * INTERVAL);
    expect(run).not.toHaveBeenCalled();
  });

  it('when runs fail, then each is logged with the task name and counted, and the loop goes on', async () => {
    const logger = silent();
    const registry = new Registry();
    let fail = true;
    const run = vi.fn(async () => {
      if (fail) throw new Error('boom');
    });
    const t = track(task({ name: 'sweeper', run, logger, registry, firstDelayMs: 0 }));
    t.start();

    await vi.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(run).toHaveBeenCalledTimes(3);
    expect(t.failures).toBe(3);
    expect(t.consecutiveFailures).toBe(3);
    expect(logger.warn).toHaveBeenCalledTimes(3);
    const [fields, message] = logger.warn.mock.lastCall ?? [];
    expect(fields).toMatchObject({ task: 'sweeper', consecutiveFailures: 3 });
    expect((fields as { err?: unknown }).err).toBeInstanceOf(Error);
    expect(message).toContain('sweeper');

    fail = false;
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(t.runs).toBe(4);
    expect(t.failures).toBe(3);
    expect(t.consecutiveFailures).toBe(0);

    const text = await registry.metrics();
    expect(text).toContain('periodic_task_runs_total{task="sweeper"} 4');
    expect(text).toContain('periodic_task_failures_total{task="sweeper"} 3');
  });

  it('when two tasks share a registry, then they share the counters, one label each', async () => {
    const registry = new Registry();
    const a = track(task({ name: 'a', run: async () => undefined, registry, firstDelayMs: 0 }));
    const b = track(task({ name: 'b', run: async () => undefined, registry, firstDelayMs: 0 }));
    a.start();
    b.start();
    await soon();
    const text = await registry.metrics();
    expect(text).toContain('periodic_task_runs_total{task="a"} 1');
    expect(text).toContain('periodic_task_runs_total{task="b"} 1');
  });

  it('when options are out of range, then the task refuses them', () => {
    const run = async () => undefined;
    expect(() => task({ run, intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => task({ run, jitter: 1 })).toThrow(/jitter/);
    expect(() => task({ run, firstDelayMs: -1 })).toThrow(/firstDelayMs/);
  });
});

describe('PeriodicTask timers', () => {
  it('when a run is pending, then its timer does not keep the process alive', async () => {
    const refed = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = refed();
    const t = task({ run: async () => undefined, intervalMs: 60_000 });
    t.start();
    expect(refed()).toBe(before);
    await t.stop();
  });
});
