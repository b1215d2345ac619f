import type { PiiConfig } from '../pii/schema.js';
import type { Config } from './schema.js';

/** The keys every plugin section has (src/plugin/define.ts composes them into each). */
export interface CommonSection {
  readonly enabled: boolean;
  readonly maxEventAge: string;
  readonly pii?: PiiConfig;
}

/** The section of plugin instance `id` (`file`, `elasticsearch/archive`), if configured. */
export function pluginSection(config: Config, id: string): CommonSection | undefined {
  return (config.plugins as Record<string, CommonSection | undefined>)[id];
}

/** Every configured instance id with its section, in config order. */
export function pluginSections(config: Config): [string, CommonSection][] {
  return Object.entries(config.plugins as Record<string, CommonSection | undefined>).flatMap(
    ([id, section]) => (section === undefined ? [] : [[id, section] as [string, CommonSection]]),
  );
}

/** The ids of the enabled plugin instances, in config order. */
export function enabledPlugins(config: Config): string[] {
  return pluginSections(config)
    .filter(([, section]) => section.enabled)
    .map(([id]) => id);
}
