import { defaultSection } from '../../../src/plugin/default-section.js';
import type { ElasticsearchConfig } from '../config.js';
import { elasticsearchPlugin } from '../index.js';

/** Command-line overrides of an Elasticsearch section (`gax setup elasticsearch|kibana`). */
export interface EsOverrides {
  readonly node?: string;
  readonly indexPrefix?: string;
  readonly indexMode?: ElasticsearchConfig['indexMode'];
}

/** `section` with the overrides that are set. */
export function withEsOverrides(section: ElasticsearchConfig, overrides: EsOverrides): ElasticsearchConfig {
  const set = Object.entries(overrides).filter(([, v]) => v !== undefined);
  return { ...section, ...(Object.fromEntries(set) as Partial<ElasticsearchConfig>) };
}

/** The default Elasticsearch section (`plugins.elasticsearch: {}`) with the overrides that are set. */
export function esDefaults(overrides: EsOverrides = {}): ElasticsearchConfig {
  return withEsOverrides(defaultSection(elasticsearchPlugin), overrides);
}
