import type { DatadogConfig } from './config.js';
import { collapsed, globalTags, tagValue } from './mapping.js';
import { DATADOG_METRICS, type DatadogMetric } from './metrics.js';

/** The raw (not yet normalised) value of every tag a metric can carry, for one observation. */
export interface RawTags {
  api: string;
  api_version: string;
  method: string;
  resource: string;
  status_code: string;
  event_type: string;
  key_type: string;
  application: string;
  user: string;
  error_type: string;
  error_code: string;
  direction: string;
  vendor: string;
  model: string;
  token_type: string;
  platform: string;
  user_agent: string;
  destination: string;
  target_status_code: string;
  error_message: string;
  tenant: string;
  api_creator: string;
  application_owner: string;
  region: string;
  gateway_host: string;
}

export type TagName = keyof RawTags;

/** One object per thread of work, refilled for every event (no per-observation objects). */
export function rawTags(): RawTags {
  return {
    api: 'none',
    api_version: 'none',
    method: 'none',
    resource: 'none',
    status_code: 'none',
    event_type: 'none',
    key_type: 'none',
    application: 'none',
    user: 'none',
    error_type: 'none',
    error_code: 'none',
    direction: 'none',
    vendor: 'none',
    model: 'none',
    token_type: 'none',
    platform: 'none',
    user_agent: 'none',
    destination: 'none',
    target_status_code: 'none',
    error_message: 'none',
    tenant: 'none',
    api_creator: 'none',
    application_owner: 'none',
    region: 'none',
    gateway_host: 'none',
  };
}

/** A series (metric + Datadog tags), interned: one object and one key string per distinct series. */
export interface SeriesEntry {
  /** `metric|tag,tag` (tag values never contain `,` or `|`): the aggregation maps' key. */
  readonly key: string;
  readonly metric: DatadogMetric;
  readonly tags: readonly string[];
  /** The flush window in which this series last counted against the tag-set cap. */
  seenIn: number;
  /** The same series with its metric tags collapsed to `other`, once needed. */
  collapsedTo: SeriesEntry | undefined;
}

/** A node of a metric's lookup tree: one level per allow-listed tag, keyed by the raw value. */
interface Node {
  readonly next: Map<string, Node>;
  entry: SeriesEntry | undefined;
}

/** Per metric: its allow-listed tags in declared order, its lookup tree, its tag sets this flush. */
export interface MetricTable {
  readonly metric: DatadogMetric;
  readonly names: readonly TagName[];
  root: Node;
  seen: number;
}

/** Distinct series kept for lookups; beyond it the index starts afresh at the next flush. */
const MAX_CACHED_SERIES = 200_000;

/**
 * Finds the series of an observation without building its tags or key: a lookup tree per metric
 * over the raw tag values (one `Map` lookup per allow-listed tag) leads to the interned entry.
 * Tags are normalised (`tagValue`) and the key is built only the first time a raw tuple is seen;
 * raw tuples that normalise alike share one entry. Applies the per-flush tag-set cap exactly as
 * `tagsOf` + a set of keys per metric would (plugins/datadog/DESIGN.md).
 */
export class SeriesIndex {
  readonly #max: number;
  readonly #global: readonly string[];
  readonly #byKey = new Map<string, SeriesEntry>();
  readonly #tables: Record<DatadogMetric, MetricTable>;
  #flush = 0;
  /** Called when a new tag set is collapsed to `other`. */
  onCollapse: (metric: DatadogMetric) => void = () => undefined;

  constructor(config: Pick<DatadogConfig, 'tags' | 'env' | 'service' | 'maxTagSetsPerFlush'>) {
    this.#max = config.maxTagSetsPerFlush;
    this.#global = globalTags(config);
    const table = (metric: DatadogMetric): MetricTable => {
      const allowed = new Set<string>(config.tags[metric] ?? DATADOG_METRICS[metric].defaultTags);
      const names = (DATADOG_METRICS[metric].tags as readonly TagName[]).filter((n) => allowed.has(n));
      return { metric, names, root: node(), seen: 0 };
    };
    this.#tables = {
      requests: table('requests'),
      errors: table('errors'),
      'latency.response': table('latency.response'),
      'latency.backend': table('latency.backend'),
      'latency.mediation': table('latency.mediation'),
      cache_hits: table('cache_hits'),
      'ai.tokens': table('ai.tokens'),
      'ai.requests': table('ai.requests'),
      'ai.latency': table('ai.latency'),
    };
  }

  get tables(): Readonly<Record<DatadogMetric, MetricTable>> {
    return this.#tables;
  }

  /** The series a key stands for, when it is still interned. */
  entry(key: string): SeriesEntry | undefined {
    return this.#byKey.get(key);
  }

  /** The series `raw` makes for the table's metric, after the tag-set cap of this flush. */
  resolve(table: MetricTable, raw: RawTags): SeriesEntry {
    let at = table.root;
    for (const name of table.names) {
      const value = raw[name];
      let next = at.next.get(value);
      if (next === undefined) {
        next = node();
        at.next.set(value, next);
      }
      at = next;
    }
    at.entry ??= this.#intern(table.metric, this.#tagsOf(table, raw));
    const entry = at.entry;
    if (entry.seenIn === this.#flush) return entry;
    if (table.seen >= this.#max) {
      entry.collapsedTo ??= this.#intern(table.metric, collapsed(entry.tags, this.#global));
      const other = entry.collapsedTo;
      if (other.seenIn !== this.#flush) {
        this.onCollapse(table.metric);
        other.seenIn = this.#flush;
        table.seen++;
      }
      return other;
    }
    entry.seenIn = this.#flush;
    table.seen++;
    return entry;
  }

  /** A new flush window for the cap; a very large index starts afresh (bounded memory). */
  nextFlush(): void {
    this.#flush++;
    const reset = this.#byKey.size > MAX_CACHED_SERIES;
    if (reset) this.#byKey.clear();
    for (const table of Object.values(this.#tables)) {
      table.seen = 0;
      if (reset) table.root = node();
    }
  }

  /** As `tagsOf` in mapping.ts: allow-listed tags in declared order, normalised, then the global ones. */
  #tagsOf(table: MetricTable, raw: RawTags): string[] {
    const tags = table.names.map((name) => `${name}:${tagValue(raw[name])}`);
    for (const t of this.#global) tags.push(t);
    return tags;
  }

  #intern(metric: DatadogMetric, tags: readonly string[]): SeriesEntry {
    const key = `${metric}|${tags.join(',')}`;
    let entry = this.#byKey.get(key);
    if (entry === undefined) {
      entry = { key, metric, tags, seenIn: -1, collapsedTo: undefined };
      this.#byKey.set(key, entry);
    }
    return entry;
  }
}

function node(): Node {
  return { next: new Map(), entry: undefined };
}
