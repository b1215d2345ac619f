import { definePlugin, sectionSchema } from '../../src/plugin/define.js';
import { opensearchConfig } from './config.js';
import { describeOpenSearch, opensearchConflicts } from './describe.js';
import { opensearchSetup } from './setup.js';

/** The OpenSearch plugin: one document per event, the daily indices of WSO2's Fluent Bit setup, exactly once. */
export const opensearchPlugin = definePlugin({
  type: 'opensearch',
  summary:
    'The OpenSearch plugin: one document per event, the indices of WSO2’s Fluent Bit + OpenSearch setup.',
  enabled: { default: false, description: 'Index events into OpenSearch.' },
  maxEventAge: { default: '0s', why: 'A first run on a large backlog can skip what is too old to matter.' },
  config: opensearchConfig,
  history: { accepts: 'any', idempotent: true },
  load: () => import('./plugin.js'),
  selfMetrics: async (registry) => (await import('./metrics.js')).registerOsMetrics(registry),
  setup: opensearchSetup,
  describe: describeOpenSearch,
  conflicts: opensearchConflicts,
});

/** `plugins.opensearch`, as validated. */
export const OpenSearchConfigSchema = sectionSchema(opensearchPlugin);
