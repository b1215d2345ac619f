import { datadogPlugin } from '../../plugins/datadog/index.js';
import { elasticsearchPlugin } from '../../plugins/elasticsearch/index.js';
import { filePlugin } from '../../plugins/file/index.js';
import { prometheusPlugin } from '../../plugins/prometheus/index.js';
import type { PiiConfig } from '../pii/schema.js';
import type { Plugin, PluginFactory, PluginSettings } from './contract.js';
import { guardPlugin } from './guard.js';

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

/**
 * A plugin instance from its validated config section, exactly as the daemon creates it: it sees
 * events through the section's `pii` rules and its failure reasons are scrubbed of secrets
 * (src/plugin/guard.ts). No I/O (the contract's `create`); the caller starts and stops it.
 */
export function createPlugin(type: PluginType, section: unknown, settings: PluginSettings): Plugin {
  const factory = pluginFactories[type];
  const plugin = (factory.create as (config: unknown, s: PluginSettings) => Plugin)(section, settings);
  return guardPlugin(plugin, (section as { pii?: PiiConfig }).pii);
}
