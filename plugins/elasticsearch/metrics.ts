import type { Registry } from 'prom-client';
import { RolloverMetrics, rolloverFamilies } from '../../src/search-index/rollover-metrics.js';

export type { ProbeStage } from '../../src/search-index/rollover.js';

const ELASTICSEARCH = { name: 'elasticsearch', title: 'Elasticsearch' } as const;

/** Registers every metric an Elasticsearch instance registers (the definition's `selfMetrics`). */
export function registerEsMetrics(registry: Registry): void {
  rolloverFamilies(registry, ELASTICSEARCH);
}

/**
 * The plugin's own metrics, next to the pipeline's delivered/retried/dead-lettered counters:
 * what Elasticsearch said about each document and each bulk request (src/search-index/metrics.ts)
 * and the rollover checks of data streams (src/search-index/rollover-metrics.ts). Every instance
 * (`elasticsearch`, `elasticsearch/archive`) shares the families and has its own `plugin` label.
 */
export class EsMetrics extends RolloverMetrics {
  constructor(registry: Registry, plugin: string) {
    super(registry, plugin, ELASTICSEARCH);
  }
}
