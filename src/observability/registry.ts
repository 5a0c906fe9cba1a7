import type * as Prom from 'prom-client';

/** Label values of one series; names not given are empty. */
export type Labels<L extends string> = Partial<Record<L, string | number>>;

export interface MetricDef<L extends string> {
  /** `notify24_<what>_<unit>` (`_total` for counters), Prometheus naming. */
  name: string;
  help: string;
  labels?: readonly L[];
}

export interface Counter<L extends string = never> {
  inc(labels?: Labels<L>, by?: number): void;
}

/** What a sampled gauge's sampler returns: one value, or one per label set. */
export type Sample<L extends string> = number | Array<[Labels<L>, number]>;

export interface Gauge<L extends string = never> {
  set(labels: Labels<L>, value: number): void;
  inc(labels?: Labels<L>, by?: number): void;
  dec(labels?: Labels<L>, by?: number): void;
  /**
   * Reads the value at each scrape instead (queue depths kept in the store). A sampler that
   * throws leaves the last value and the scrape goes on.
   */
  sampleWith(sampler: () => Sample<L> | Promise<Sample<L>>): void;
}

export interface Histogram<L extends string = never> {
  observe(labels: Labels<L>, value: number): void;
}

/** Ops recorded before prom-client is loaded, replayed once it is; more than this are dropped. */
const PENDING_LIMIT = 100_000;

type PromModule = typeof Prom;

/** A declared metric as docs/operations.md lists it. */
export interface Declaration {
  name: string;
  kind: 'counter' | 'gauge' | 'histogram';
  help: string;
  labels: readonly string[];
}
type Declared = (prom: PromModule, registry: Prom.Registry) => void;

/**
 * The metrics of one server, exported in the Prometheus text format at `/metrics`.
 *
 * WHY lazy: prom-client costs about a seventh of a cold start, and nothing needs it before the
 * first scrape. Metrics are declared and fed at once through small facades; `load()` (called
 * once the server listens, or by the first scrape) imports prom-client, creates the real
 * metrics and replays what was recorded meanwhile. Callers never see prom-client's types.
 */
export class MetricsRegistry {
  private prom: PromModule | null = null;
  private registry: Prom.Registry | null = null;
  private loading: Promise<void> | null = null;
  private readonly creators: Declared[] = [];
  private pending: Array<() => void> = [];
  private readonly declarations: Declaration[] = [];

  /** Every metric declared here, in order (docs/operations.md's table is made from them). */
  declared(): readonly Declaration[] {
    return this.declarations;
  }

  counter<L extends string = never>(def: MetricDef<L>): Counter<L> {
    const names = def.labels ?? [];
    const table = new SeriesTable<{ labels: Labels<string>; value: number }>(names, (labels) => ({ labels, value: 0 }));
    this.declare('counter', def, (_prom, registers) => {
      for (const r of registers) r.registerMetric(counterMetric(def, table) as unknown as Prom.Metric);
    });
    return {
      inc: (labels = {}, by = 1) => {
        if (!(by >= 0) || by === Infinity) throw new RangeError(`${def.name}: a counter goes up by a finite amount, not ${by}`);
        table.series(labels).value += by;
      },
    };
  }

  gauge<L extends string = never>(def: MetricDef<L>): Gauge<L> {
    let sampler: (() => Sample<L> | Promise<Sample<L>>) | null = null;
    const real = this.declare('gauge', def, (prom, registers) =>
      new prom.Gauge({
        name: def.name,
        help: def.help,
        labelNames: def.labels ?? [],
        registers,
        async collect() {
          if (!sampler) return;
          try {
            const sample = await sampler();
            if (typeof sample === 'number') this.set(sample);
            else for (const [labels, value] of sample) this.set(labels, value);
          } catch {
            // the source is away (store down): the last value stays, the scrape goes on
          }
        },
      }),
    );
    return {
      set: (labels, value) => (real.metric ? real.metric.set(labels, value) : this.defer(() => real.metric!.set(labels, value))),
      inc: (labels = {}, by = 1) => (real.metric ? real.metric.inc(labels, by) : this.defer(() => real.metric!.inc(labels, by))),
      dec: (labels = {}, by = 1) => (real.metric ? real.metric.dec(labels, by) : this.defer(() => real.metric!.dec(labels, by))),
      sampleWith: (fn) => void (sampler = fn),
    };
  }

  /** `buckets`: upper bounds, in the metric's unit (seconds for durations). */
  histogram<L extends string = never>(def: MetricDef<L> & { buckets: number[] }): Histogram<L> {
    const names = def.labels ?? [];
    const bounds = def.buckets;
    const table = new SeriesTable<HistogramSeries>(names, (labels) => ({ labels, counts: new Array<number>(bounds.length).fill(0), sum: 0, count: 0 }));
    this.declare('histogram', def, (_prom, registers) => {
      for (const r of registers) r.registerMetric(histogramMetric(def, bounds, table) as unknown as Prom.Metric);
    });
    return {
      observe: (labels, value) => {
        if (!Number.isFinite(value)) throw new TypeError(`${def.name}: not a number to observe: ${value}`);
        const series = table.series(labels);
        series.sum += value;
        series.count++;
        for (let i = 0; i < bounds.length; i++) {
          if (value <= bounds[i]!) {
            series.counts[i]!++;
            break;
          }
        }
      },
    };
  }

  /** Imports prom-client, creates every declared metric and the process metrics, replays what waited. */
  load(): Promise<void> {
    this.loading ??= import('prom-client').then((prom) => {
      const registry = new prom.Registry();
      prom.collectDefaultMetrics({ register: registry });
      for (const create of this.creators) create(prom, registry);
      this.prom = prom;
      this.registry = registry;
      const waiting = this.pending;
      this.pending = [];
      for (const op of waiting) op();
    });
    return this.loading;
  }

  /** The text exposition for a scrape. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    await this.load();
    return { contentType: this.registry!.contentType, text: await this.registry!.metrics() };
  }

  /** Every metric with its current values, for in-process readers that want more than the traffic window. */
  async read(): Promise<Prom.MetricObjectWithValues<Prom.MetricValue<string>>[]> {
    await this.load();
    return this.registry!.getMetricsAsJSON();
  }

  private declare<M>(kind: Declaration['kind'], def: MetricDef<string>, create: (prom: PromModule, registers: Prom.Registry[]) => M): { metric: M | null } {
    if (this.declarations.some((d) => d.name === def.name)) throw new Error(`metric ${def.name} declared twice`);
    this.declarations.push({ name: def.name, kind, help: def.help, labels: def.labels ?? [] });
    const slot: { metric: M | null } = { metric: null };
    const make: Declared = (prom, registry) => void (slot.metric = create(prom, [registry]));
    this.creators.push(make);
    if (this.prom && this.registry) make(this.prom, this.registry);
    return slot;
  }

  /**
   * An op on a metric prom-client has not made yet, replayed by `load`. (Ops on a made metric
   * go straight to it: no closure per op on the request path.)
   */
  private defer(op: () => void): void {
    if (this.pending.length < PENDING_LIMIT) this.pending.push(op);
  }
}

/**
 * The series of one counter or histogram, by label values, kept here rather than in prom-client.
 * WHY: every request feeds two counters and two histograms; prom-client validates and hashes the
 * label set on each update (a few microseconds per request), where nested maps of the values
 * find the series in a few lookups. prom-client formats them at scrape time, as its own.
 */
class SeriesTable<S extends { labels: Labels<string> }> {
  /** In the order first seen (prom-client's order). */
  readonly all: S[] = [];
  private readonly root = new Map<unknown, unknown>();
  private only: S | null = null;

  constructor(
    private readonly names: readonly string[],
    private readonly make: (labels: Labels<string>) => S,
  ) {
    // prom-client shows an unlabelled metric at zero before its first update.
    if (names.length === 0) this.only = this.add({});
  }

  series(labels: Labels<string>): S {
    if (this.only) return this.only;
    const last = this.names.length - 1;
    let node = this.root;
    for (let i = 0; i < last; i++) {
      const v = keyOf(labels[this.names[i]!]);
      let next = node.get(v) as Map<unknown, unknown> | undefined;
      if (!next) {
        next = new Map();
        node.set(v, next);
      }
      node = next;
    }
    const v = keyOf(labels[this.names[last]!]);
    let series = node.get(v) as S | undefined;
    if (!series) {
      series = this.add({ ...labels });
      node.set(v, series);
    }
    return series;
  }

  private add(labels: Labels<string>): S {
    const series = this.make(labels);
    this.all.push(series);
    return series;
  }
}

/** A label value as prom-client tells series apart: 200 and '200' are one; absent is none. */
function keyOf(value: string | number | undefined): string | undefined {
  return typeof value === 'number' ? String(value) : value;
}

interface HistogramSeries {
  labels: Labels<string>;
  /** Observations per bucket (not cumulative), the last bucket's above it not counted here. */
  counts: number[];
  sum: number;
  count: number;
}

/** A counter as prom-client's registry reads one (`get`), from our series. */
function counterMetric(def: MetricDef<string>, table: SeriesTable<{ labels: Labels<string>; value: number }>) {
  const read = () => ({ name: def.name, help: def.help, type: 'counter', values: table.all.map((s) => ({ value: s.value, labels: s.labels })), aggregator: 'sum' });
  return { name: def.name, help: def.help, type: 'counter', aggregator: 'sum', get: async () => read(), reset: () => undefined };
}

/** A histogram as prom-client's registry reads one: the same values, in the same order, as its own Histogram gives. */
function histogramMetric(def: MetricDef<string>, bounds: readonly number[], table: SeriesTable<HistogramSeries>) {
  const pair = (labels: Record<string, string | number>, value: number, metricName: string, exemplar: null | undefined, sharedLabels: Labels<string>) => ({ labels, sharedLabels, value, metricName, exemplar });
  const values = () => {
    const out: ReturnType<typeof pair>[] = [];
    for (const s of table.all) {
      let acc = 0;
      for (let i = 0; i < bounds.length; i++) {
        acc += s.counts[i]!;
        out.push(pair({ le: bounds[i]! }, acc, `${def.name}_bucket`, null, s.labels));
      }
      out.push(pair({ le: '+Inf' }, s.count, `${def.name}_bucket`, null, s.labels));
      out.push(pair({}, s.sum, `${def.name}_sum`, undefined, s.labels));
      out.push(pair({}, s.count, `${def.name}_count`, undefined, s.labels));
    }
    return out;
  };
  const head = { name: def.name, help: def.help, type: 'histogram', aggregator: 'sum' };
  return {
    ...head,
    getForPromString: async () => ({ ...head, values: values() }),
    // As prom-client's `get`: each value's series labels merged into its own.
    get: async () => ({ ...head, values: values().map(({ sharedLabels, labels, ...v }) => ({ ...v, labels: { ...labels, ...sharedLabels } })) }),
    reset: () => undefined,
  };
}
