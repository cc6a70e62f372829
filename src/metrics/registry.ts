// A small Prometheus registry (text exposition format 0.0.4), hand-written because prom-client's
// default collectors have repeatedly broken on Bun and the gateway needs only counters, gauges
// and fixed-bucket histograms.

export const contentType = "text/plain; version=0.0.4; charset=utf-8";

/** Label values by label name. */
export type Labels<L extends string> = { readonly [K in L]: string | number };

// Label-less metrics take no labels argument: `hits.inc()`, `requests.inc({ status: 200 })`.
type Args<L extends string, Rest extends unknown[]> = [L] extends [never] ? Rest : [labels: Labels<L>, ...Rest];

/** Label sets a family keeps before new ones are folded into one series labelled OVERFLOW_VALUE. */
const DEFAULT_MAX_SERIES = 1_000;
export const OVERFLOW_VALUE = "_overflow";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Series {
  /** Rendered `name="value",...` pairs, escaped once when the series is created. */
  readonly labels: string;
}

abstract class Family<L extends string, S extends Series> {
  // Keyed by the label values, each prefixed with its length so no two label sets share a key.
  readonly #series = new Map<string, S>();
  // The same series by raw label values, one Map level per label name (200 and "200" may both lead here).
  readonly #index = new Map<unknown, unknown>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge" | "histogram",
    readonly labelNames: readonly L[],
    readonly maxSeries: number,
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name: ${name}`);
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label) || label.startsWith("__")) throw new Error(`invalid label name on ${name}: ${label}`);
    }
    if (new Set(labelNames).size !== labelNames.length) throw new Error(`duplicate label name on ${name}`);
  }

  protected abstract createSeries(labels: string): S;
  protected abstract renderSeries(series: S): string;

  /** The series for these labels; `first` is the first argument of inc/set/observe (a number when label-less). */
  protected series(first: Labels<L> | number | undefined): S {
    const labels = typeof first === "object" ? first : undefined;
    if (labels === undefined || this.labelNames.length === 0) return this.#series.get("") ?? this.#create("", labels);
    // Hot path: one Map.get per label on the raw values, no key string built.
    let node: unknown = this.#index;
    for (const name of this.labelNames) {
      node = (node as Map<unknown, unknown>).get(labels[name]);
      if (node === undefined) return this.#slowSeries(labels);
    }
    return node as S;
  }

  /** Finds or creates the series by its key string, then indexes it unless it is the overflow series. */
  #slowSeries(labels: Labels<L>): S {
    let key = "";
    for (const name of this.labelNames) {
      const value = String(labels[name]);
      key += value.length + ":" + value;
    }
    const series = this.#series.get(key) ?? this.#create(key, labels);
    // Overflowing label sets are not indexed, so the index stays as bounded as the series themselves.
    if (this.#series.get(key) !== series) return series;
    const names = this.labelNames;
    let node = this.#index;
    for (let i = 0; i < names.length - 1; i++) {
      const value = labels[names[i]];
      let child = node.get(value) as Map<unknown, unknown> | undefined;
      if (child === undefined) node.set(value, (child = new Map()));
      node = child;
    }
    node.set(labels[names[names.length - 1]], series);
    return series;
  }

  #create(key: string, labels: Labels<L> | undefined): S {
    const overflow = this.#series.size >= this.maxSeries;
    const existing = overflow ? this.#series.get(OVERFLOW_VALUE) : undefined;
    if (existing !== undefined) return existing;
    const pairs = this.labelNames.map((n) => `${n}="${overflow ? OVERFLOW_VALUE : escapeLabelValue(String(labels?.[n]))}"`);
    const series = this.createSeries(pairs.join(","));
    this.#series.set(overflow ? OVERFLOW_VALUE : key, series);
    return series;
  }

  render(): string {
    // A label-less family always shows its one series, so a 0 is exposed before the first event.
    if (this.labelNames.length === 0) this.series(undefined);
    let out = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`;
    for (const series of this.#series.values()) out += this.renderSeries(series);
    return out;
  }
}

interface ValueSeries extends Series {
  value: number;
}

abstract class ValueFamily<L extends string> extends Family<L, ValueSeries> {
  protected createSeries(labels: string): ValueSeries {
    return { labels, value: 0 };
  }

  protected renderSeries(series: ValueSeries): string {
    return `${this.name}${series.labels && `{${series.labels}}`} ${formatNumber(series.value)}\n`;
  }

  protected add(labels: Labels<L> | number | undefined, value: number | undefined, sign: 1 | -1): void {
    this.series(labels).value += sign * valueArg(labels, value, 1);
  }
}

export class Counter<L extends string = never> extends ValueFamily<L> {
  constructor(name: string, help: string, labelNames: readonly L[] = [], maxSeries = DEFAULT_MAX_SERIES) {
    super(name, help, "counter", labelNames, maxSeries);
  }

  /** Adds `value` (default 1, must be >= 0). */
  inc(...args: Args<L, [value?: number]>): void;
  inc(labels?: Labels<L> | number, value?: number): void {
    this.add(labels, value, 1);
  }
}

export class Gauge<L extends string = never> extends ValueFamily<L> {
  constructor(name: string, help: string, labelNames: readonly L[] = [], maxSeries = DEFAULT_MAX_SERIES) {
    super(name, help, "gauge", labelNames, maxSeries);
  }

  set(...args: Args<L, [value: number]>): void;
  set(labels: Labels<L> | number, value?: number): void {
    this.series(labels).value = valueArg(labels, value, NaN);
  }

  inc(...args: Args<L, [value?: number]>): void;
  inc(labels?: Labels<L> | number, value?: number): void {
    this.add(labels, value, 1);
  }

  dec(...args: Args<L, [value?: number]>): void;
  dec(labels?: Labels<L> | number, value?: number): void {
    this.add(labels, value, -1);
  }
}

interface HistogramSeries extends Series {
  /** Per-bucket (not cumulative) counts; the last slot is the +Inf bucket. */
  readonly counts: Float64Array;
  sum: number;
}

export class Histogram<L extends string = never> extends Family<L, HistogramSeries> {
  readonly buckets: readonly number[];
  // `le="..."` pairs, formatted once.
  readonly #le: readonly string[];

  constructor(name: string, help: string, buckets: readonly number[], labelNames: readonly L[] = [], maxSeries = DEFAULT_MAX_SERIES) {
    if ((labelNames as readonly string[]).includes("le")) throw new Error(`histogram ${name} cannot use the label "le"`);
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]))) {
      throw new Error(`histogram ${name} needs finite, strictly increasing buckets`);
    }
    super(name, help, "histogram", labelNames, maxSeries);
    this.buckets = buckets;
    this.#le = [...buckets.map(formatNumber), "+Inf"].map((b) => `le="${b}"`);
  }

  observe(...args: Args<L, [value: number]>): void;
  observe(labels: Labels<L> | number, value?: number): void {
    const series = this.series(labels);
    const v = valueArg(labels, value, NaN);
    const buckets = this.buckets;
    let i = 0;
    while (i < buckets.length && v > buckets[i]) i++;
    series.counts[i]++;
    series.sum += v;
  }

  protected createSeries(labels: string): HistogramSeries {
    return { labels, counts: new Float64Array(this.#le.length), sum: 0 };
  }

  protected renderSeries({ labels, counts, sum }: HistogramSeries): string {
    const prefix = `${this.name}_bucket{${labels}${labels && ","}`;
    let out = "";
    let cumulative = 0;
    for (let i = 0; i < counts.length; i++) {
      cumulative += counts[i];
      out += `${prefix}${this.#le[i]}} ${cumulative}\n`;
    }
    const braces = labels && `{${labels}}`;
    return `${out}${this.name}_sum${braces} ${formatNumber(sum)}\n${this.name}_count${braces} ${cumulative}\n`;
  }
}

type AnyFamily = Family<string, Series>;

export class Registry {
  readonly #families = new Map<string, AnyFamily>();

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.register(new Counter(name, help, labelNames));
  }

  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.register(new Gauge(name, help, labelNames));
  }

  histogram<L extends string = never>(name: string, help: string, buckets: readonly number[], labelNames: readonly L[] = []): Histogram<L> {
    return this.register(new Histogram(name, help, buckets, labelNames));
  }

  register<F extends { readonly name: string; render(): string }>(family: F): F {
    if (this.#families.has(family.name)) throw new Error(`metric already registered: ${family.name}`);
    this.#families.set(family.name, family as unknown as AnyFamily);
    return family;
  }

  /** The exposition text: families in registration order, each line ending in "\n". */
  render(): string {
    let out = "";
    for (const family of this.#families.values()) out += family.render();
    return out;
  }
}

// The value argument of inc/set/observe: first for label-less families, second otherwise.
function valueArg(first: object | number | undefined, second: number | undefined, fallback: number): number {
  return typeof first === "number" ? first : (second ?? fallback);
}

function formatNumber(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value); // NaN prints as "NaN", which Prometheus reads
}

function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

function escapeHelp(help: string): string {
  return help.replace(/[\\\n]/g, (c) => (c === "\n" ? "\\n" : "\\\\"));
}
