import { mib, table } from './markdown.ts';
import { rssOfTree } from './processes.ts';

export interface Watched {
  name: string;
  pid: number;
}

export type Snapshot = Map<string, number>;

export async function snapshot(processes: readonly Watched[]): Promise<Snapshot> {
  const sizes = await Promise.all(processes.map((p) => rssOfTree(p.pid)));
  return new Map(processes.map((p, i) => [p.name, sizes[i] ?? 0]));
}

/** Samples every process's RSS every `intervalMs` and keeps each one's peak until stopped. */
export function peakSampler(processes: readonly Watched[], intervalMs = 500) {
  const peak: Snapshot = new Map();
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(async () => {
      for (const [name, bytes] of await snapshot(processes))
        peak.set(name, Math.max(peak.get(name) ?? 0, bytes));
    });
  }, intervalMs);
  return {
    async stop(): Promise<Snapshot> {
      clearInterval(timer);
      await sampling;
      return peak;
    },
  };
}

export function memoryTable(
  processes: readonly Watched[],
  services: readonly string[],
  idle: Snapshot,
  peak: Snapshot,
  after: Snapshot,
): string {
  const sum = (s: Snapshot) => services.reduce((total, name) => total + (s.get(name) ?? 0), 0);
  const rows = processes.map((p) => [
    p.name,
    mib(idle.get(p.name) ?? 0),
    mib(peak.get(p.name) ?? 0),
    mib(after.get(p.name) ?? 0),
  ]);
  rows.push(['**the five services**', mib(sum(idle)), mib(sum(peak)), mib(sum(after))]);
  return table(['process', 'idle MiB', 'peak under load MiB', 'after the load MiB'], rows);
}
