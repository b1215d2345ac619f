import type { Registry } from 'prom-client';
import { rolloverFamilies } from '../../src/search-index/rollover-metrics.js';

/**
 * The OpenSearch plugin's metrics are the Elasticsearch plugin's families under the engine's own
 * name (src/search-index/rollover-metrics.ts), one `plugin` label per instance:
 * `gax_opensearch_documents_total`, `gax_opensearch_bulk_requests_total`,
 * `gax_opensearch_bulk_request_duration_seconds` and, for data streams,
 * `gax_opensearch_rollover_probes_total` / `gax_opensearch_rollover_duplicates_total`.
 */
export const OPENSEARCH = { name: 'opensearch', title: 'OpenSearch' } as const;

/** Registers every metric an OpenSearch instance registers (the definition's `selfMetrics`). */
export function registerOsMetrics(registry: Registry): void {
  rolloverFamilies(registry, OPENSEARCH);
}
