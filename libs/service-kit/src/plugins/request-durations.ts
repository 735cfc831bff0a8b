import { Histogram, type Registry } from 'prom-client';

type Label = 'method' | 'route' | 'status';

export const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** The `route` label of requests no route matched: one series, whatever the URL. */
export const UNMATCHED = 'unmatched';

/** An onResponse hook, in the little it reads: fits every route's typing (any server type). */
export type TimingHook = (
  request: { readonly method: string },
  reply: { readonly statusCode: number; readonly elapsedTime: number },
  done: () => void,
) => void;

/** One label set's counts, as plain numbers: observing allocates nothing. */
class Series {
  /** Per bucket (the last one past every bound), not cumulative. */
  readonly counts = new Float64Array(DURATION_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  constructor(readonly labels: Readonly<Record<Label, string>>) {}

  observe(seconds: number): void {
    let bucket = 0;
    while (bucket < DURATION_BUCKETS.length && seconds > (DURATION_BUCKETS[bucket] ?? 0)) bucket++;
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.sum += seconds;
    this.count += 1;
  }
}

/** A route's series by method and status, made on their first request. */
export class RouteSeries {
  private readonly byMethod = new Map<string, Map<number, Series>>();

  constructor(
    private readonly route: string,
    private readonly all: Series[],
  ) {}

  observe(method: string, status: number, seconds: number): void {
    let byStatus = this.byMethod.get(method);
    if (!byStatus) {
      byStatus = new Map();
      this.byMethod.set(method, byStatus);
    }
    let series = byStatus.get(status);
    if (!series) {
      series = new Series({ method, route: this.route, status: String(status) });
      byStatus.set(status, series);
      this.all.push(series);
    }
    series.observe(seconds);
  }
}

/**
 * `http_request_duration_seconds{method, route, status}`, exposed as prom-client's Histogram is
 * but kept per route: a request finds its series through two map lookups and builds no label
 * object (prom-client's `observe(labels, v)` allocates and hashes the labels on every call).
 * The label values are bounded: routes are the app's patterns (`unmatched` otherwise), methods
 * those Node's parser accepts, statuses those the app answers.
 */
export class RequestDurations extends Histogram<Label> {
  private readonly series: Series[] = [];
  private readonly routes = new Map<string, RouteSeries>();

  constructor(
    private readonly metricName: string,
    private readonly metricHelp: string,
    registry: Registry,
  ) {
    super({
      name: metricName,
      help: metricHelp,
      labelNames: ['method', 'route', 'status'],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
  }

  /** The series of `route` (one per pattern, whichever routes share it). */
  route(route: string): RouteSeries {
    let series = this.routes.get(route);
    if (!series) {
      series = new RouteSeries(route, this.series);
      this.routes.set(route, series);
    }
    return series;
  }

  /** The onResponse hook that times the route `route` (a route-level hook: no lookup by URL). */
  hookFor(route: string): TimingHook {
    const series = this.route(route);
    return function timeRoute(request, reply, done) {
      series.observe(request.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
  }

  /**
   * What the registry formats (and Histogram's own `get()` reads): the shape prom-client's
   * Histogram gives, from the series kept here.
   */
  getForPromString() {
    type Value = {
      labels: { le?: number | string };
      sharedLabels: Readonly<Record<Label, string>>;
      value: number;
      metricName: string;
    };
    const values: Value[] = [];
    const bucket = `${this.metricName}_bucket`;
    for (const series of this.series) {
      const sharedLabels = series.labels;
      let cumulative = 0;
      DURATION_BUCKETS.forEach((le, index) => {
        cumulative += series.counts[index] ?? 0;
        values.push({ labels: { le }, sharedLabels, value: cumulative, metricName: bucket });
      });
      values.push(
        { labels: { le: '+Inf' }, sharedLabels, value: series.count, metricName: bucket },
        { labels: {}, sharedLabels, value: series.sum, metricName: `${this.metricName}_sum` },
        { labels: {}, sharedLabels, value: series.count, metricName: `${this.metricName}_count` },
      );
    }
    return Promise.resolve({
      name: this.metricName,
      help: this.metricHelp,
      type: 'histogram',
      values,
      aggregator: 'sum',
    });
  }

  override reset(): void {
    // Histogram's constructor calls this before the fields of this class exist.
    this.series?.forEach((series) => {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    });
  }
}
