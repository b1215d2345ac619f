/**
 * Opt-in indexing of what the template otherwise keeps in `_source` only (`searchable` in the
 * config): custom `properties.<key>` keys with an explicit type, the published headers and the
 * MCP analytics as `flattened` fields. Every mapping here accepts any value of the right shape
 * without failing the document: numbers, dates and booleans with `ignore_malformed`, keywords
 * with `ignore_above`; the shapes no mapping accepts (an object where a scalar is mapped, say) are
 * moved aside before sending (`searchable.ts`). Light: read by the config schema.
 */
import { FIELD_TYPES } from './fields.js';

/** The types a custom `properties.<key>` can be given. */
export const SEARCHABLE_TYPES = ['keyword', 'text', 'long', 'double', 'boolean', 'date'] as const;

export type SearchableType = (typeof SEARCHABLE_TYPES)[number];

/** The `searchable` section, as validated (all keys optional so templates can be built without it). */
export interface SearchableConfig {
  readonly properties?: Readonly<Record<string, SearchableType>>;
  readonly headers?: boolean;
  readonly mcpAnalytics?: boolean;
}

/**
 * Keys of `properties` the template maps already (or that `headers` / `mcpAnalytics` turn on):
 * a custom key of the same name would contradict that mapping, so the config refuses it.
 */
export const RESERVED_PROPERTY_KEYS: readonly string[] = [
  ...new Set(
    Object.keys(FIELD_TYPES)
      .filter((path) => path.startsWith('properties.'))
      .map((path) => path.split('.')[1] as string),
  ),
];

/** Longest header or MCP value indexed, in characters (as for every `.keyword` sub-field). */
export const FLATTENED_IGNORE_ABOVE = 1024;

/**
 * Deepest nesting indexed per flattened field, counting the field's own object as 1: headers are
 * a flat map (a little room for a gateway that nests), MCP analytics a few levels of objects.
 */
export const FLATTENED_DEPTH: Readonly<Record<string, number>> = {
  requestHeaders: 3,
  responseHeaders: 3,
  mcpAnalytics: 10,
};

/** The opted-in keys of `properties`, by the mapping they get; undefined when nothing is opted in. */
export interface SearchablePlan {
  /** Custom key → its type. */
  readonly scalars: ReadonlyMap<string, SearchableType>;
  /** Flattened key → its depth limit. */
  readonly flattened: ReadonlyMap<string, number>;
}

/** The plan of a `searchable` section, or undefined when it turns nothing on. */
export function searchablePlan(config: SearchableConfig | undefined): SearchablePlan | undefined {
  if (config === undefined) return undefined;
  const scalars = new Map(Object.entries(config.properties ?? {}));
  const flattenedKeys = [
    ...(config.headers === true ? ['requestHeaders', 'responseHeaders'] : []),
    ...(config.mcpAnalytics === true ? ['mcpAnalytics'] : []),
  ];
  if (scalars.size === 0 && flattenedKeys.length === 0) return undefined;
  const flattened = new Map(flattenedKeys.map((key) => [key, FLATTENED_DEPTH[key] as number]));
  return { scalars, flattened };
}

/** The mapping of each opted-in key, by its key in `properties`. */
export function searchableMappings(plan: SearchablePlan): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [key, type] of plan.scalars) out[key] = scalarMapping(type);
  for (const [key, depth] of plan.flattened)
    out[key] = { type: 'flattened', ignore_above: FLATTENED_IGNORE_ABOVE, depth_limit: depth };
  return out;
}

function scalarMapping(type: SearchableType): Record<string, unknown> {
  switch (type) {
    case 'keyword':
      return { type: 'keyword', ignore_above: 1024 };
    case 'text':
      return { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } };
    case 'long':
    case 'double':
    case 'boolean':
      return { type, ignore_malformed: true };
    case 'date':
      return { type: 'date', format: 'strict_date_optional_time||epoch_millis', ignore_malformed: true };
    default:
      return assertNever(type);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected searchable type ${String(value)}`);
}
