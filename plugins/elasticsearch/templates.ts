import {
  buildTemplates as build,
  type Mapping,
  eventMappings as mappings,
  shardSettings,
  type Templates,
} from '../../src/search-index/templates.js';
import type { ElasticsearchConfig } from './config.js';
import { type SearchableConfig, searchableMappings, searchablePlan } from './searchable-fields.js';

export { EVENT_TYPES, indexBase } from '../../src/search-index/naming.js';
/** The templates are shared with the OpenSearch plugin (src/search-index/templates.ts). */
export {
  type ComponentTemplate,
  checksum,
  type IndexTemplate,
  TEMPLATE_VERSION,
  type TemplateKind,
  type Templates,
} from '../../src/search-index/templates.js';

type TemplateConfig = Pick<ElasticsearchConfig, 'indexPrefix' | 'indexMode' | 'templates'> & {
  readonly searchable?: SearchableConfig;
};

/** Component templates (mappings, settings) and one composable index template per event type. */
export function buildTemplates(config: TemplateConfig): Templates {
  const { ilmPolicy } = config.templates;
  const plan = searchablePlan(config.searchable);
  return build({
    indexPrefix: config.indexPrefix,
    dataStream: config.indexMode === 'dataStream',
    settings: {
      ...shardSettings(config.templates),
      ...(ilmPolicy === undefined ? {} : { 'index.lifecycle.name': ilmPolicy }),
    },
    ...(plan === undefined ? {} : { extraProperties: searchableMappings(plan) }),
  });
}

/**
 * The `mappings` of an event index: every known field explicit, the rest not indexed, except the
 * keys of `properties` that `searchable` opts in (searchable-fields.ts).
 */
export function eventMappings(searchable?: SearchableConfig): Mapping {
  const plan = searchablePlan(searchable);
  return mappings(plan === undefined ? undefined : searchableMappings(plan));
}
