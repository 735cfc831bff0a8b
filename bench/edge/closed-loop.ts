import { fixed, met, rps, table } from './markdown.ts';
import { wrk, type WrkOptions, type WrkResult } from './wrk.ts';

export interface Target {
  name: string;
  url: string;
  headers?: Record<string, string>;
}

export interface Measured {
  target: Target;
  best: WrkResult;
  rounds: WrkResult[];
}

export interface ClosedLoopSettings extends Omit<WrkOptions, 'headers' | 'seconds'> {
  seconds: number;
  warmupSeconds: number;
  rounds: number;
}

const log = (message: string) => process.stderr.write(`${message}\n`);

/**
 * Every target with the same wrk settings, back to back: one warm-up each, then `rounds` passes
 * over all of them, every other one in reverse order (so a slow minute on the machine hits every
 * target alike), keeping each target's best pass. Each target must first answer 200, or the run stops: a fast 401 or 404
 * would pass for throughput.
 */
export async function measureAll(
  targets: readonly Target[],
  settings: ClosedLoopSettings,
): Promise<Measured[]> {
  for (const target of targets) {
    const response = await fetch(target.url, { headers: target.headers ?? {} });
    const text = await response.text();
    if (response.status !== 200)
      throw new Error(`${target.name}: ${response.status} ${text.slice(0, 300)}`);
  }
  const options = (target: Target, seconds: number): WrkOptions => ({
    ...settings,
    seconds,
    ...(target.headers ? { headers: target.headers } : {}),
  });
  for (const target of targets) {
    log(`  warm-up ${settings.warmupSeconds} s: ${target.name}`);
    if (settings.warmupSeconds > 0) await wrk(target.url, options(target, settings.warmupSeconds));
  }
  const rounds = new Map<Target, WrkResult[]>(targets.map((t) => [t, []]));
  for (let round = 1; round <= settings.rounds; round++) {
    // Every other round backwards: a target is not always the one run last, when the machine
    // has been busiest for longest.
    for (const target of round % 2 === 1 ? targets : targets.toReversed()) {
      const result = await wrk(target.url, options(target, settings.seconds));
      log(
        `  round ${round}: ${target.name}: ${rps(result.rps)} req/s, p50 ${fixed(result.p50, 2)} ms`,
      );
      rounds.get(target)!.push(result);
    }
  }
  return targets.map((target) => {
    const results = rounds.get(target)!;
    const best = results.reduce((a, b) => (b.rps > a.rps ? b : a));
    return { target, best, rounds: results };
  });
}

export const errorsOf = (r: WrkResult): number => r.badStatus + r.socketErrors;

/** One row per target: best req/s, every round's, p50/p99 of the best round, errors, bytes. */
export function resultsTable(measured: readonly Measured[], extra?: (m: Measured) => string[]) {
  const headers = ['target', 'req/s (best)', 'each round', 'p50 ms', 'p99 ms', 'errors'];
  const rows = measured.map((m) => [
    m.target.name,
    rps(m.best.rps),
    m.rounds.map((r) => rps(r.rps)).join(' / '),
    fixed(m.best.p50, 2),
    fixed(m.best.p99, 2),
    String(m.rounds.reduce((sum, r) => sum + errorsOf(r), 0)),
    ...(extra ? extra(m) : []),
  ]);
  return { headers, rows };
}

export interface Ratio {
  name: string;
  of: Measured;
  to: Measured;
  /** At least this, or undefined when the ratio is only informative. */
  target?: number;
}

/** A ratio's row: value, target, and met (never met when either side had errors). */
export function ratioRow(ratio: Ratio): string[] {
  const value = ratio.of.best.rps / ratio.to.best.rps;
  const errors = ratio.of.rounds.concat(ratio.to.rounds).some((r) => errorsOf(r) > 0);
  const verdict =
    ratio.target === undefined ? '–' : errors ? '**not met** (errors)' : met(value >= ratio.target);
  return [
    ratio.name,
    `${fixed(value, 2)}×`,
    ratio.target === undefined ? '–' : `≥ ${fixed(ratio.target, 2)}×`,
    verdict,
  ];
}

export function ratiosTable(ratios: readonly Ratio[]): string {
  return table(['ratio of best req/s', 'value', 'target', 'met?'], ratios.map(ratioRow));
}
