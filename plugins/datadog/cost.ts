import type { CanonicalEvent } from '../../src/schema/event.js';
import type { DatadogConfig } from './config.js';
import { globalTags, type Observation, observe, tagValue } from './mapping.js';
import { DATADOG_METRICS, type DatadogMetric } from './metrics.js';

/**
 * Datadog bills a custom metric per distinct (metric name, tag set). A count is one; a
 * distribution is five (count, sum, min, max, avg) plus five more with percentiles enabled,
 * which the bundled dashboards and monitors need (p50/p95/p99).
 * (docs.datadoghq.com/metrics/custom_metrics, "Distributions").
 */
export const CUSTOM_METRICS_PER_TAG_SET = { count: 1, distribution: 10 } as const;

/** What one opt-in tag (a tag of the metric that is not on by default) costs on the sample. */
export interface OptInCost {
  readonly tag: string;
  /** The tag is in the config's allow-list. */
  readonly enabled: boolean;
  /** Distinct (normalised) values of the tag in the sample. */
  readonly values: number;
  /**
   * Custom metrics the tag adds: enabled, what removing it would save; off, what adding it
   * would cost (the other tags as configured).
   */
  readonly customMetrics: number;
}

export interface MetricCost {
  readonly metric: DatadogMetric;
  readonly tags: readonly string[];
  /** Distinct tag sets seen in the sample (undefined without a sample). */
  readonly tagSets?: number;
  readonly customMetrics?: number;
  /** The most a flush can create for this metric (`maxTagSetsPerFlush`, plus `other`). */
  readonly capPerFlush: number;
  /** Per opt-in tag, from the sample (undefined without a sample). */
  readonly optIn?: readonly OptInCost[];
}

/**
 * Per metric, the tag lists whose distinct tag sets the estimate needs: the configured one, then per
 * opt-in tag the tag alone (its values) and the configured list with the tag toggled.
 */
interface Variants {
  readonly configured: readonly string[];
  readonly optIn: readonly { tag: string; enabled: boolean; alone: string[]; toggled: string[] }[];
  /** Distinct keys per tag list, by the list joined with `,`. */
  readonly seen: Map<string, Set<string>>;
}

function variantsOf(config: DatadogConfig, metric: DatadogMetric): Variants {
  const spec = DATADOG_METRICS[metric];
  const allowed = new Set<string>(config.tags[metric] ?? spec.defaultTags);
  const defaults = new Set<string>(spec.defaultTags);
  const all = spec.tags as readonly string[];
  // In declared order, as tagsOf sends them.
  const configured = all.filter((t) => allowed.has(t));
  const optIn = all
    .filter((tag) => !defaults.has(tag))
    .map((tag) => {
      const enabled = allowed.has(tag);
      const toggled = all.filter((t) => (t === tag ? !enabled : allowed.has(t)));
      return { tag, enabled, alone: [tag], toggled };
    });
  const seen = new Map<string, Set<string>>();
  for (const list of [configured, ...optIn.flatMap((o) => [o.alone, o.toggled])])
    seen.set(list.join(','), new Set());
  return { configured, optIn, seen };
}

/** Adds an observation's tag set under every tag list of `v` (global tags are the same on all). */
function see(v: Variants, o: Observation): void {
  for (const [list, keys] of v.seen) {
    const names = list === '' ? [] : list.split(',');
    keys.add(names.map((t) => tagValue(o.tags[t] ?? 'none')).join(','));
  }
}

const count = (v: Variants, list: readonly string[]): number => v.seen.get(list.join(','))?.size ?? 0;

/**
 * The custom metrics a config creates: per metric its tags and, from a sample of real events
 * (e.g. a day of `apim_metrics.log`), the distinct tag sets, what Datadog bills for them and what
 * each opt-in tag adds (enabled) or would add (off).
 */
export function estimateCost(config: DatadogConfig, sample?: Iterable<CanonicalEvent>): MetricCost[] {
  const global = globalTags(config);
  const metrics = Object.keys(DATADOG_METRICS) as DatadogMetric[];
  const variants = new Map(metrics.map((m) => [m, variantsOf(config, m)]));
  if (sample !== undefined) {
    const out: Observation[] = [];
    for (const event of sample) {
      out.length = 0;
      observe(event, out);
      for (const o of out) see(variants.get(o.metric) as Variants, o);
    }
  }
  return metrics.map((metric) => {
    const v = variants.get(metric) as Variants;
    const tags = [...v.configured, ...global.map((t) => t.split(':')[0] as string)];
    const base = { metric, tags, capPerFlush: config.maxTagSetsPerFlush + 1 };
    if (sample === undefined) return base;
    const per = CUSTOM_METRICS_PER_TAG_SET[DATADOG_METRICS[metric].type];
    const sets = count(v, v.configured);
    const optIn = v.optIn.map(
      (o): OptInCost => ({
        tag: o.tag,
        enabled: o.enabled,
        values: count(v, o.alone),
        customMetrics: Math.abs(sets - count(v, o.toggled)) * per,
      }),
    );
    return { ...base, tagSets: sets, customMetrics: sets * per, optIn };
  });
}
