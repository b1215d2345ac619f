import { definePlugin, sectionSchema } from '../../src/plugin/define.js';
import { redactUrlCredentials } from '../../src/telemetry/redact.js';
import { summariesConfig } from './config.js';
import { summariesSetup } from './setup.js';

/** The summaries plugin: WSO2 2.x/3.x aggregate tables in PostgreSQL, exactly once. */
export const summariesPlugin = definePlugin({
  type: 'summaries',
  summary:
    "The summaries plugin: WSO2 2.x/3.x analytics' aggregate tables per granularity in PostgreSQL, exactly once.",
  enabled: { default: false, description: 'Keep the WSO2 aggregate tables in PostgreSQL.' },
  maxEventAge: { default: '0s', why: 'Late events belong in their bucket: old ones are counted too.' },
  config: summariesConfig,
  history: { accepts: 'any', idempotent: true },
  load: () => import('./plugin.js'),
  setup: summariesSetup,
  selfMetrics: async (registry) => (await import('./metrics.js')).registerSummariesMetrics(registry),
  describe: (section, { id }) => [
    `  ${id}: → ${redactUrlCredentials(section.postgres.url)} schema ${section.postgres.schema}, ${section.tables.length} tables × ${section.granularities.join('/')} (exactly once${section.postgres.tls === undefined ? '' : ', TLS'})`,
    ...(section.elasticsearch === undefined
      ? []
      : [
          `    mirrored → ${redactUrlCredentials(section.elasticsearch.node)} indices ${section.elasticsearch.indexPrefix}<table>`,
        ]),
  ],
});

/** `plugins.summaries`, as validated. */
export const SummariesConfigSchema = sectionSchema(summariesPlugin);
