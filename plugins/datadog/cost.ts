import type { CanonicalEvent } from '../../src/schema/event.js';
import type { DatadogConfig } from './config.js';
import { globalTags, type Observation, observe, tagsOf } from './mapping.js';
import { DATADOG_METRICS, type DatadogMetric } from './metrics.js';

/**
 * Datadog bills a custom metric per distinct (metric name, tag set). A count is one; a
 * distribution is five (count, sum, min, max, avg) plus five more with percentiles enabled,
 * which the bundled dashboards and monitors need (p50/p95/p99).
 * (docs.datadoghq.com/metrics/custom_metrics, "Distributions").
 */
export const CUSTOM_METRICS_PER_TAG_SET = { count: 1, distribution: 10 } as const;

export interface MetricCost {
  readonly metric: DatadogMetric;
  readonly tags: readonly string[];
  /** Distinct tag sets seen in the sample (undefined without a sample). */
  readonly tagSets?: number;
  readonly customMetrics?: number;
  /** The most a flush can create for this metric (`maxTagSetsPerFlush`, plus `other`). */
  readonly capPerFlush: number;
}

/**
 * The custom metrics a config creates: per metric its tags and, from a sample of real events
 * (e.g. a day of `apim_metrics.log`), the distinct tag sets and what Datadog bills for them.
 */
export function estimateCost(config: DatadogConfig, sample?: Iterable<CanonicalEvent>): MetricCost[] {
  const global = globalTags(config);
  const seen = new Map<DatadogMetric, Set<string>>();
  if (sample !== undefined) {
    const out: Observation[] = [];
    for (const event of sample) {
      out.length = 0;
      observe(event, out);
      for (const o of out) {
        const set = seen.get(o.metric) ?? new Set<string>();
        seen.set(o.metric, set);
        set.add(tagsOf(o, config, global).join(','));
      }
    }
  }
  return (Object.keys(DATADOG_METRICS) as DatadogMetric[]).map((metric) => {
    const tags = [
      ...(config.tags[metric] ?? DATADOG_METRICS[metric].defaultTags),
      ...global.map((t) => t.split(':')[0] as string),
    ];
    const base = { metric, tags, capPerFlush: config.maxTagSetsPerFlush + 1 };
    if (sample === undefined) return base;
    const tagSets = seen.get(metric)?.size ?? 0;
    return {
      ...base,
      tagSets,
      customMetrics: tagSets * CUSTOM_METRICS_PER_TAG_SET[DATADOG_METRICS[metric].type],
    };
  });
}
