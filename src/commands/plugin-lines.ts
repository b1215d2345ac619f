import type { Config } from '../config/schema.js';
import { pluginSection, pluginSections } from '../config/sections.js';
import type { EventSample } from '../plugin/capabilities.js';
import { instanceType, pluginDefinition, pluginTypes } from '../plugin/registry.js';

/**
 * `gax check-config`'s lines about the plugin instances, from their definitions: each enabled
 * instance's `describe` then `cost` lines, in config order. With a sample, a plugin type with a
 * `cost` and no enabled instance is estimated from its own section (what enabling it would cost).
 */
export function pluginLines(config: Config, sample?: EventSample): string[] {
  const described = pluginSections(config).filter(([, section]) => section.enabled);
  if (sample !== undefined) {
    for (const type of pluginTypes) {
      const section = pluginSection(config, type);
      const hasEnabled = described.some(([id]) => instanceType(id) === type);
      if (pluginDefinition(type).cost !== undefined && !hasEnabled && section !== undefined)
        described.push([type, section]);
    }
  }
  return described.flatMap(([id, section]) => {
    const type = instanceType(id);
    if (type === undefined) return [];
    const definition = pluginDefinition(type);
    // Validated against this type's section schema when the config loaded.
    const validated = section as unknown as Record<string, unknown>;
    const context = { id, ...(sample === undefined ? {} : { sample }) };
    return [
      ...(definition.describe?.(validated, context) ?? []),
      ...(definition.cost?.(validated, context) ?? []),
    ];
  });
}
