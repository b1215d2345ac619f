import { plugins } from '../../plugins/index.js';
import { GaxError } from '../errors.js';
import type { PiiConfig } from '../pii/schema.js';
import type { Plugin, PluginSettings } from './contract.js';
import type { PluginDefinition } from './define.js';
import { guardPlugin } from './guard.js';
import type { HistoryPolicy } from './history.js';

/** Every plugin type this build has, from the composition root (`plugins/index.ts`). */
export type PluginType = (typeof plugins)[number]['type'];

const byType = new Map<string, PluginDefinition>(plugins.map((d) => [d.type, d as PluginDefinition]));

/** The plugin types, in the composition root's order. */
export const pluginTypes: readonly PluginType[] = plugins.map((d) => d.type);

export function isPluginType(name: string): name is PluginType {
  return byType.has(name);
}

/**
 * The type of an instance id: `elasticsearch` → `elasticsearch`, `elasticsearch/archive` →
 * `elasticsearch`; undefined when the type is not in this build.
 */
export function instanceType(id: string): PluginType | undefined {
  const slash = id.indexOf('/');
  const type = slash < 0 ? id : id.slice(0, slash);
  return isPluginType(type) ? type : undefined;
}

/** The definition of a plugin type (`plugins/<type>/index.ts`). */
export function pluginDefinition(type: PluginType): PluginDefinition {
  return byType.get(type) as PluginDefinition;
}

/** What the backend of instance `id`'s type can do with old events. */
export function historyPolicy(id: string): HistoryPolicy {
  const type = instanceType(id);
  if (type === undefined) throw unknownPlugin(id);
  return pluginDefinition(type).history;
}

/**
 * A plugin instance from its validated config section, exactly as the daemon creates it: it sees
 * events through the section's `pii` rules and its failure reasons are scrubbed of secrets
 * (src/plugin/guard.ts). Loads the plugin's code on first use; no I/O of the plugin's own (the
 * contract's `create`); the caller starts and stops it.
 */
export async function createPlugin(id: string, section: unknown, settings: PluginSettings): Promise<Plugin> {
  const type = instanceType(id);
  if (type === undefined) throw unknownPlugin(id);
  const { create } = await pluginDefinition(type).load();
  const plugin = (create as (config: unknown, s: PluginSettings) => Plugin)(section, settings);
  return guardPlugin(plugin, (section as { pii?: PiiConfig }).pii);
}

function unknownPlugin(id: string): GaxError {
  return new GaxError(
    'GAX_ERR_PLUGIN_UNKNOWN',
    `plugin "${id}" is not available in this build (one of: ${pluginTypes.join(', ')}, or <type>/<name>)`,
  );
}
