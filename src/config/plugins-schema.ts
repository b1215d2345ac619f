import { type Static, type TObject, type TProperties, type TUnsafe, Type } from '@sinclair/typebox';
import { type PluginDefinition, type SectionSchema, sectionSchema } from '../plugin/define.js';

/** The name part of a named instance id (`elasticsearch/archive` → `archive`). */
export const INSTANCE_NAME = '[a-z0-9][a-z0-9_-]{0,62}';

type Definitions = readonly PluginDefinition<TProperties>[];
type ConfigOf<D> = D extends PluginDefinition<infer P> ? SectionSchema<P> : never;

/** `plugins:` keyed by type: each type's section (filled with defaults when absent). */
type TypedSections<Ds extends Definitions> = {
  [D in Ds[number] as D['type']]: ConfigOf<D>;
};

/** Named instances (`elasticsearch/archive`): optional, any number per type. */
type NamedSections<Ds extends Definitions> = {
  [D in Ds[number] as `${D['type']}/${string}`]?: Static<ConfigOf<D>>;
};

/** The static type of `plugins:`, keyed by type, and by `type/name` for named instances. */
export type PluginsConfig<Ds extends Definitions> = Static<TObject<TypedSections<Ds>>> & NamedSections<Ds>;

/**
 * The `plugins:` schema, from the composition root's definitions: one key per type (today's
 * `file`, `prometheus`, …) and, as the OpenTelemetry Collector names components, any number of
 * named instances `<type>/<name>` with the same section (enabled unless `enabled: false`).
 */
export function pluginsSchema<const Ds extends Definitions>(definitions: Ds): TUnsafe<PluginsConfig<Ds>> {
  const typed = Object.fromEntries(definitions.map((d) => [d.type, sectionSchema(d)]));
  const named = Object.fromEntries(
    definitions.map((d) => [`^${d.type}/${INSTANCE_NAME}$`, sectionSchema(d, `${d.type}/<name>`)]),
  );
  const schema = Type.Object(typed, {
    additionalProperties: false,
    patternProperties: named,
    default: {},
    errorMessage: {
      additionalProperties: `must be a plugin type (${definitions.map((d) => d.type).join(', ')}) or a named instance <type>/<name> (lowercase a-z, 0-9, _ and -)`,
    },
    description: `Backends; at least one must be enabled. Keys: a plugin type (${definitions.map((d) => `\`${d.type}\``).join(', ')}) or a named instance of one, \`<type>/<name>\` (e.g. \`elasticsearch/archive\`), each with its own lane, checkpoint, dead letters and \`plugin\` metric label.`,
  });
  return Type.Unsafe<PluginsConfig<Ds>>(schema);
}
