import type { Registry } from 'prom-client';
import { RolloverMetrics, rolloverFamilies } from '../../src/search-index/rollover-metrics.js';

const OPENSEARCH = { name: 'opensearch', title: 'OpenSearch' } as const;

/**
 * `gax_opensearch_documents_total{plugin,outcome,error_type}`, `gax_opensearch_bulk_requests_total{plugin,status}`,
 * `gax_opensearch_bulk_request_duration_seconds{plugin}` and the rollover checks of data streams
 * `gax_opensearch_rollover_probes_total{plugin,stage}` / `gax_opensearch_rollover_duplicates_total{plugin,stage}`:
 * the Elasticsearch plugin's families under the engine's own name (src/search-index/).
 */
function families(registry: Registry, plugin?: string) {
  return rolloverFamilies(registry, OPENSEARCH, plugin);
}

/** Registers every metric an OpenSearch instance registers (the definition's `selfMetrics`). */
export function registerOsMetrics(registry: Registry): void {
  families(registry);
}

/** One OpenSearch instance's metrics (`opensearch`, `opensearch/archive`: one `plugin` label each). */
export class OsMetrics extends RolloverMetrics {
  constructor(registry: Registry, plugin: string) {
    super(registry, plugin, families);
  }
}
