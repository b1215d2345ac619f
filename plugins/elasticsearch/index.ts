import { definePlugin, sectionSchema } from '../../src/plugin/define.js';
import { elasticsearchConfig } from './config.js';
import { describeElasticsearch, elasticsearchConflicts } from './describe.js';
import { elasticsearchSetup } from './setup.js';

/** The Elasticsearch plugin: one document per event, WSO2-compatible indices, exactly once. */
export const elasticsearchPlugin = definePlugin({
  type: 'elasticsearch',
  summary: 'The Elasticsearch plugin: one document per event, WSO2-compatible indices.',
  enabled: { default: false, description: 'Index events into Elasticsearch.' },
  maxEventAge: { default: '0s', why: 'A first run on a large backlog can skip what is too old to matter.' },
  config: elasticsearchConfig,
  history: { accepts: 'any', idempotent: true },
  load: () => import('./plugin.js'),
  selfMetrics: async (registry) => (await import('./metrics.js')).registerEsMetrics(registry),
  setup: elasticsearchSetup,
  describe: describeElasticsearch,
  conflicts: elasticsearchConflicts,
});

/** `plugins.elasticsearch`, as validated. */
export const ElasticsearchConfigSchema = sectionSchema(elasticsearchPlugin);
