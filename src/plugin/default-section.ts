import type { TProperties } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { type PluginDefinition, type SectionConfig, sectionSchema } from './define.js';

/**
 * A plugin type's section with every default filled, as `plugins.<type>: {}` validates: what the
 * setup commands use without `--config`.
 */
export function defaultSection<P extends TProperties>(definition: PluginDefinition<P>): SectionConfig<P> {
  return Value.Default(sectionSchema(definition), {}) as SectionConfig<P>;
}
