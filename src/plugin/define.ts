import {
  type ObjectOptions,
  type Static,
  type TBoolean,
  type TObject,
  type TProperties,
  type TString,
  Type,
} from '@sinclair/typebox';
import type { Registry } from 'prom-client';
import { maxEventAgeSchema } from '../config/duration.js';
import { PiiSchema } from '../pii/schema.js';
import type { PluginCapabilities } from './capabilities.js';
import type { Plugin, PluginSettings } from './contract.js';
import type { HistoryPolicy } from './history.js';

/** The keys every plugin section has, declared once here and composed into each section. */
export type CommonProperties = {
  enabled: TBoolean;
  maxEventAge: TString;
  pii: typeof PiiSchema;
};

/** The TypeBox schema of a plugin's config section: the common keys plus its own. */
export type SectionSchema<P extends TProperties> = TObject<CommonProperties & P>;

/** A plugin's validated config section, as its `create` receives it. */
export type SectionConfig<P extends TProperties> = Static<SectionSchema<P>>;

/** What a plugin's code module exports: loaded only when an instance is first created. */
export interface PluginModule<C> {
  /** Validated config section and settings in, an instance out; **no I/O** (see Plugin). */
  create(config: C, settings: PluginSettings): Plugin;
}

/**
 * One plugin type: everything the core knows about it, declared in the plugin's own folder
 * (`plugins/<type>/index.ts`) and listed once in `plugins/index.ts`. The config schema, the
 * `gax setup` subcommands, `check-config`'s lines, the docs checks and the replay refusals are
 * all built from these objects; nothing else in the core names a plugin.
 *
 * `index.ts` must stay light (config schema and metadata only): the plugin's code, with its
 * backend client, is loaded by {@link load} when an instance is created, so `gax parse` or
 * `gax check-config` never pay for a client they do not use. The optional capabilities
 * (`setup`, `describe`, `cost`, `conflicts`: src/plugin/capabilities.ts) follow the same rule: a
 * setup command's options are declared here, its `run` imports the code that does the work.
 */
export interface PluginDefinition<P extends TProperties = TProperties>
  extends PluginCapabilities<SectionConfig<P>> {
  /** The key under `plugins:` and the instance id's type part (`elasticsearch/archive`). */
  readonly type: string;
  /** One sentence: the section's description in the schema and docs/configuration.md. */
  readonly summary: string;
  /** `enabled` of the section named by the type itself; a named instance is enabled by default. */
  readonly enabled: { readonly default: boolean; readonly description: string };
  /** Default of `maxEventAge`, and why this default suits the backend. */
  readonly maxEventAge: { readonly default: string; readonly why: string };
  /** The plugin's own keys (defaults live here only); the common keys are added around them. */
  readonly config: P;
  /**
   * Extra JSON Schema keywords of the section under `plugins.<key>` (`if`/`then` between its keys,
   * …); `enabled` is the JSON Schema condition "this section is enabled" (its default applied).
   */
  readonly schemaOptions?: (context: { readonly key: string; readonly enabled: object }) => ObjectOptions;
  /** What the backend can do with old events (`gax replay`, `gax dlq replay`). */
  readonly history: HistoryPolicy;
  /** The plugin's code: `() => import('./plugin.js')`. */
  load(): Promise<PluginModule<SectionConfig<P>>>;
  /**
   * Registers in `registry` every self-metric an instance of this type registers (its instances
   * share them, told apart by the `plugin` label), so docs/metrics.md is checked from the
   * composition root. Like {@link load}, it imports the plugin's metrics module when called.
   */
  readonly selfMetrics?: (registry: Registry) => Promise<void>;
}

/** Declares a plugin type; keeps its literal `type` and its config's static type. */
export function definePlugin<const T extends string, P extends TProperties>(
  definition: PluginDefinition<P> & { readonly type: T },
): PluginDefinition<P> & { readonly type: T } {
  return definition;
}

/**
 * The config section of a plugin type: `enabled` and `maxEventAge` first, the plugin's own keys,
 * then `pii`, unknown keys rejected. A `key` other than the type is a named instance
 * (`elasticsearch/archive`), whose section is enabled unless it says `enabled: false`.
 */
export function sectionSchema<P extends TProperties>(
  definition: PluginDefinition<P>,
  key: string = definition.type,
): SectionSchema<P> {
  const named = key !== definition.type;
  const common = {
    enabled: Type.Boolean({
      default: named ? true : definition.enabled.default,
      description: named
        ? `${definition.enabled.description} A named instance (\`${definition.type}/<name>\`) is enabled unless this is \`false\`.`
        : definition.enabled.description,
    }),
    maxEventAge: maxEventAgeSchema(definition.maxEventAge.default, definition.maxEventAge.why),
  };
  const properties = { ...common, ...definition.config, pii: PiiSchema };
  return Type.Object(properties, {
    ...definition.schemaOptions?.({ key, enabled: enabledCondition(named || definition.enabled.default) }),
    additionalProperties: false,
    default: {},
    description: definition.summary,
  }) as unknown as SectionSchema<P>;
}

/**
 * JSON Schema: "the section is enabled". Ajv fills defaults while it validates `properties`, after
 * an `if` may have looked, so a section enabled by default is one that does not say `false`.
 */
function enabledCondition(byDefault: boolean): object {
  return byDefault
    ? { not: { properties: { enabled: { const: false } }, required: ['enabled'] } }
    : { properties: { enabled: { const: true } }, required: ['enabled'] };
}
