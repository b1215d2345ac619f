import { createHash } from 'node:crypto';
import type { EventType } from '../../src/schema/event.js';
import type { ElasticsearchConfig } from './config.js';
import { COMPAT_COPIES, FIELD_TYPES, type FieldType } from './fields.js';
import { type SearchableConfig, searchableMappings, searchablePlan } from './searchable-fields.js';

/** Bumped whenever the mappings or settings below change; stored in every template's `_meta`. */
export const TEMPLATE_VERSION = 1;

type Mapping = Record<string, unknown>;
type TemplateConfig = Pick<ElasticsearchConfig, 'indexPrefix' | 'indexMode' | 'templates'> & {
  readonly searchable?: SearchableConfig;
};

export interface ComponentTemplate {
  readonly name: string;
  readonly body: { template: { mappings?: Mapping; settings?: Mapping }; version: number; _meta: Mapping };
}

export type TemplateKind = 'component template' | 'index template';

export interface IndexTemplate {
  readonly name: string;
  readonly body: {
    index_patterns: string[];
    composed_of: string[];
    priority: number;
    data_stream?: Record<string, never>;
    version: number;
    _meta: Mapping;
  };
}

export interface Templates {
  readonly components: readonly ComponentTemplate[];
  readonly indexTemplates: readonly IndexTemplate[];
}

export const EVENT_TYPES: readonly EventType[] = ['response', 'faulty'];

const META = { managed_by: 'gateway-analytics-exporter', description: 'WSO2 API-M analytics events' };

/** The index (or data stream) name of an event type, without a date suffix. */
export function indexBase(prefix: string, eventType: EventType): string {
  return `${prefix}_${eventType}`;
}

/** Component templates (mappings, settings) and one composable index template per event type. */
export function buildTemplates(config: TemplateConfig): Templates {
  const prefix = config.indexPrefix;
  const components: ComponentTemplate[] = [
    {
      name: `${prefix}-mappings`,
      body: {
        template: { mappings: eventMappings(config.searchable) },
        version: TEMPLATE_VERSION,
        _meta: META,
      },
    },
    {
      name: `${prefix}-settings`,
      body: { template: { settings: indexSettings(config) }, version: TEMPLATE_VERSION, _meta: META },
    },
  ];
  const dataStream = config.indexMode === 'dataStream';
  const indexTemplates = EVENT_TYPES.map((eventType): IndexTemplate => {
    const base = indexBase(prefix, eventType);
    return {
      name: base,
      body: {
        index_patterns: dataStream ? [base] : [base, `${base}-*`],
        composed_of: components.map((c) => c.name),
        priority: 200,
        ...(dataStream ? { data_stream: {} } : {}),
        version: TEMPLATE_VERSION,
        _meta: META,
      },
    };
  });
  for (const t of [...components, ...indexTemplates]) t.body._meta = { ...META, checksum: checksum(t.body) };
  return { components, indexTemplates };
}

/**
 * A digest of a template body (without `_meta`), stored in its `_meta.checksum`: `gax setup`
 * compares it with the installed template's to report `unchanged` without a deep diff of
 * Elasticsearch's normalised copy.
 */
export function checksum(body: object): string {
  const { _meta: _, ...rest } = body as { _meta?: unknown };
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
}

function indexSettings(config: TemplateConfig): Mapping {
  const { numberOfShards, numberOfReplicas, ilmPolicy } = config.templates;
  return {
    ...(numberOfShards === undefined ? {} : { 'index.number_of_shards': numberOfShards }),
    ...(numberOfReplicas === undefined ? {} : { 'index.number_of_replicas': numberOfReplicas }),
    ...(ilmPolicy === undefined ? {} : { 'index.lifecycle.name': ilmPolicy }),
  };
}

/**
 * The `mappings` of an event index: every known field explicit, the rest not indexed, except the
 * keys of `properties` that `searchable` opts in (searchable-fields.ts).
 */
export function eventMappings(searchable?: SearchableConfig): Mapping {
  const root: Mapping = { dynamic: false, properties: {} };
  for (const [path, type] of Object.entries(FIELD_TYPES)) {
    place(root, path, fieldMapping(type, COMPAT_COPIES[path]));
  }
  for (const [from, to] of Object.entries(COMPAT_COPIES)) {
    place(root, to, fieldMapping(FIELD_TYPES[from] ?? 'text', undefined));
  }
  const plan = searchablePlan(searchable);
  if (plan === undefined) return root;
  for (const [key, leaf] of Object.entries(searchableMappings(plan))) place(root, `properties.${key}`, leaf);
  return root;
}

function fieldMapping(type: FieldType, copyTo: string | undefined): Mapping {
  switch (type) {
    case 'text':
      return {
        type: 'text',
        ...(copyTo === undefined ? {} : { copy_to: copyTo }),
        fields: { keyword: { type: 'keyword', ignore_above: 1024 } },
      };
    case 'date':
      return { type: 'date', format: 'strict_date_optional_time||epoch_millis' };
    case 'object':
      return { type: 'object', dynamic: false };
    case 'keyword':
    case 'long':
    case 'double':
    case 'boolean':
      return { type };
    default:
      return assertNever(type);
  }
}

/** Puts `leaf` at a dotted path, creating `dynamic: false` objects on the way. */
function place(root: Mapping, path: string, leaf: Mapping): void {
  const parts = path.split('.');
  let node = root;
  for (const part of parts.slice(0, -1)) {
    const children = node.properties as Record<string, Mapping>;
    children[part] ??= { type: 'object', dynamic: false, properties: {} };
    node = children[part];
  }
  (node.properties as Record<string, Mapping>)[parts.at(-1) as string] = leaf;
}

function assertNever(value: never): never {
  throw new Error(`unexpected field type ${String(value)}`);
}
