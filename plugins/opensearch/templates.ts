import { buildTemplates, shardSettings, type Templates } from '../../src/search-index/templates.js';
import type { OpenSearchConfig } from './config.js';

/**
 * The component templates `<prefix>-mappings` / `<prefix>-settings` and the composable index
 * templates `<prefix>_response` / `<prefix>_faulty` (patterns `<prefix>_response` and
 * `<prefix>_response-*`; with `indexMode: dataStream`, `<prefix>_response` only and `data_stream: {}`,
 * whose timestamp field is `@timestamp`, which every document carries), the same mappings as the
 * Elasticsearch plugin's (src/search-index/).
 * No `searchable` options: OpenSearch has `flat_object`, not `flattened` (README.md).
 */
export function osTemplates(
  config: Pick<OpenSearchConfig, 'indexPrefix' | 'templates'> & {
    readonly indexMode?: OpenSearchConfig['indexMode'];
  },
): Templates {
  return buildTemplates({
    indexPrefix: config.indexPrefix,
    dataStream: config.indexMode === 'dataStream',
    settings: shardSettings(config.templates),
  });
}
