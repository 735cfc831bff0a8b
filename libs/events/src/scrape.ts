import { Gauge, type Registry } from 'prom-client';

/**
 * Gauges that one query answers, read at scrape time: the gauges of one scrape share one run of
 * `query`, and while it fails (the database is away) they keep the last figures, so a scrape
 * never fails for it.
 */
export function gaugesFromQuery<T>(
  registry: Registry,
  query: () => Promise<T>,
  initial: T,
  gauges: { name: string; help: string; value: (figures: T) => number }[],
): void {
  let last: { at: number; value: Promise<T> } | undefined;
  const figures = () => {
    if (!last || performance.now() - last.at > 500) {
      const previous = last?.value ?? Promise.resolve(initial);
      last = { at: performance.now(), value: query().catch(() => previous) };
    }
    return last.value;
  };
  for (const { name, help, value } of gauges)
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(value(await figures()));
      },
    });
}
