import { datadogPlugin } from '../../plugins/datadog/index.js';
import { elasticsearchPlugin } from '../../plugins/elasticsearch/index.js';
import { filePlugin } from '../../plugins/file/index.js';
import { prometheusPlugin } from '../../plugins/prometheus/index.js';
import type { PluginFactory } from './contract.js';

/**
 * Every plugin type this build has: one explicit map. A new plugin adds one line here and its
 * config section in src/config/schema.ts.
 */
export const pluginFactories = {
  datadog: datadogPlugin,
  elasticsearch: elasticsearchPlugin,
  file: filePlugin,
  prometheus: prometheusPlugin,
} as const satisfies Record<string, PluginFactory<never>>;

export type PluginType = keyof typeof pluginFactories;

export function isPluginType(name: string): name is PluginType {
  return Object.hasOwn(pluginFactories, name);
}
