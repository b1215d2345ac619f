import { datadogPlugin } from './datadog/index.js';
import { elasticsearchPlugin } from './elasticsearch/index.js';
import { filePlugin } from './file/index.js';
import { kafkaPlugin } from './kafka/index.js';
import { opensearchPlugin } from './opensearch/index.js';
import { otlpPlugin } from './otlp/index.js';
import { prometheusPlugin } from './prometheus/index.js';
import { summariesPlugin } from './summaries/index.js';

/**
 * The composition root of plugins: every plugin type this build has, one line each, in the order
 * their sections appear in the config schema and its docs. A new plugin is its folder under
 * `plugins/<type>/` plus one line here (and its import).
 */
export const plugins = [
  filePlugin,
  prometheusPlugin,
  elasticsearchPlugin,
  opensearchPlugin,
  datadogPlugin,
  kafkaPlugin,
  otlpPlugin,
  summariesPlugin,
] as const;
