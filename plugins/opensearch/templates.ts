import { buildTemplates, shardSettings, type Templates } from '../../src/search-index/templates.js';
import type { OpenSearchConfig } from './config.js';

/**
 * The component templates `<prefix>-mappings` / `<prefix>-settings` and the composable index
 * templates `<prefix>_response` / `<prefix>_faulty` (patterns `<prefix>_response` and
 * `<prefix>_response-*`), the same mappings as the Elasticsearch plugin's (src/search-index/).
 * No `searchable` options: OpenSearch has `flat_object`, not `flattened` (README.md).
 */
export function osTemplates(config: Pick<OpenSearchConfig, 'indexPrefix' | 'templates'>): Templates {
  return buildTemplates({
    indexPrefix: config.indexPrefix,
    dataStream: false,
    settings: shardSettings(config.templates),
  });
}
