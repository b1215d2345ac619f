import { definePlugin, sectionSchema } from '../../src/plugin/define.js';
import { MAX_AGE_S, MAX_AHEAD_S } from './aggregate.js';
import { datadogConfig } from './config.js';
import { datadogCost, describeDatadog } from './describe.js';
import { datadogSetup } from './setup.js';

/** The Datadog plugin: request metrics (distributions for latencies) and optional logs. */
export const datadogPlugin = definePlugin({
  type: 'datadog',
  summary: 'The Datadog plugin: request metrics (distributions for latencies) and optional logs.',
  enabled: { default: false, description: 'Send metrics to Datadog.' },
  maxEventAge: {
    default: '0s',
    why: 'Events older than Datadog accepts (1 hour) are dead-lettered with that reason in any case.',
  },
  config: datadogConfig,
  schemaOptions: ({ key, enabled }) => ({
    if: { allOf: [enabled, { not: { required: ['apiKeyFile'] } }] },
    // biome-ignore lint/suspicious/noThenProperty: the JSON Schema `if`/`then` keyword, not a promise
    then: {
      required: ['apiKey'],
      properties: {
        apiKey: {
          minLength: 1,
          errorMessage: `must be set (or apiKeyFile) when plugins.${key}.enabled is true`,
        },
      },
    },
  }),
  history: {
    accepts: 'window',
    maxAgeMs: MAX_AGE_S * 1000,
    maxAheadMs: MAX_AHEAD_S * 1000,
    why: 'Datadog accepts points from 1 hour back to 10 minutes ahead only',
  },
  load: () => import('./plugin.js'),
  selfMetrics: async (registry) => (await import('./metrics-self.js')).registerDdMetrics(registry),
  setup: datadogSetup,
  describe: describeDatadog,
  cost: datadogCost,
});

/** `plugins.datadog`, as validated. */
export const DatadogConfigSchema = sectionSchema(datadogPlugin);
