/**
 * The component and composable index templates of the event indices, for any engine with
 * Elasticsearch 7.8+'s template API (Elasticsearch, OpenSearch): the same mappings from
 * fields.ts, settings and extra mappings from the plugin. Pure; `installTemplates` takes the
 * engine's GET and PUT.
 */
import { createHash } from 'node:crypto';
import { COMPAT_COPIES, FIELD_TYPES, type FieldType } from './fields.js';
import { EVENT_TYPES, indexBase } from './naming.js';

/** Bumped whenever the mappings or settings below change; stored in every template's `_meta`. */
export const TEMPLATE_VERSION = 1;

export type Mapping = Record<string, unknown>;

/** What a plugin decides about its templates. */
export interface TemplateOptions {
  readonly indexPrefix: string;
  /** Index templates that create data streams (`data_stream: {}`, pattern without `-*`). */
  readonly dataStream: boolean;
  /** `index.*` settings of every new index. */
  readonly settings: Mapping;
  /** Extra mappings under `properties`, by key (opted-in custom keys). */
  readonly extraProperties?: Readonly<Record<string, Mapping>>;
}

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

const META = { managed_by: 'gateway-analytics-exporter', description: 'WSO2 API-M analytics events' };

/** Component templates (mappings, settings) and one composable index template per event type. */
export function buildTemplates(config: TemplateOptions): Templates {
  const prefix = config.indexPrefix;
  const components: ComponentTemplate[] = [
    {
      name: `${prefix}-mappings`,
      body: {
        template: { mappings: eventMappings(config.extraProperties) },
        version: TEMPLATE_VERSION,
        _meta: META,
      },
    },
    {
      name: `${prefix}-settings`,
      body: { template: { settings: config.settings }, version: TEMPLATE_VERSION, _meta: META },
    },
  ];
  const { dataStream } = config;
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
 * the engine's normalised copy.
 */
export function checksum(body: object): string {
  const { _meta: _, ...rest } = body as { _meta?: unknown };
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
}

/** `index.number_of_shards` / `index.number_of_replicas`, when set. */
export function shardSettings(templates: {
  readonly numberOfShards?: number | undefined;
  readonly numberOfReplicas?: number | undefined;
}): Mapping {
  const { numberOfShards, numberOfReplicas } = templates;
  return {
    ...(numberOfShards === undefined ? {} : { 'index.number_of_shards': numberOfShards }),
    ...(numberOfReplicas === undefined ? {} : { 'index.number_of_replicas': numberOfReplicas }),
  };
}

/**
 * The `mappings` of an event index: every known field explicit, the rest not indexed, except the
 * keys of `properties` a plugin opts in (`extraProperties`).
 */
export function eventMappings(extraProperties?: Readonly<Record<string, Mapping>>): Mapping {
  const root: Mapping = { dynamic: false, properties: {} };
  for (const [path, type] of Object.entries(FIELD_TYPES)) {
    place(root, path, fieldMapping(type, COMPAT_COPIES[path]));
  }
  for (const [from, to] of Object.entries(COMPAT_COPIES)) {
    place(root, to, fieldMapping(FIELD_TYPES[from] ?? 'text', undefined));
  }
  if (extraProperties === undefined) return root;
  for (const [key, leaf] of Object.entries(extraProperties)) place(root, `properties.${key}`, leaf);
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

/** What installing one template did. */
export interface TemplateResult {
  readonly kind: TemplateKind;
  readonly name: string;
  readonly result: 'created' | 'updated' | 'unchanged';
}

/** The two calls template installation makes, on the engine's client. */
export interface TemplateTransport {
  /** GET `path`; undefined when the answer is 404. Throws on any other failure. */
  get(path: string): Promise<unknown>;
  put(path: string, body: object): Promise<void>;
}

interface Installed {
  component_template?: { _meta?: { checksum?: string } };
  index_template?: { _meta?: { checksum?: string } };
}

interface InstalledTemplates {
  component_templates?: Installed[];
  index_templates?: Installed[];
}

/**
 * Installs the component templates, then the index templates that compose them. Idempotent:
 * a template whose installed checksum matches is left alone (`unchanged`).
 */
export async function installTemplates(
  templates: Templates,
  transport: TemplateTransport,
): Promise<TemplateResult[]> {
  const results: TemplateResult[] = [];
  const items = [
    ...templates.components.map((t) => ({
      kind: 'component template' as const,
      path: '_component_template',
      ...t,
    })),
    ...templates.indexTemplates.map((t) => ({
      kind: 'index template' as const,
      path: '_index_template',
      ...t,
    })),
  ];
  for (const { kind, path, name, body } of items) {
    const url = `/${path}/${encodeURIComponent(name)}`;
    const installed = ((await transport.get(url)) ?? {}) as InstalledTemplates;
    const list = installed.component_templates ?? installed.index_templates ?? [];
    const current = list[0]?.component_template ?? list[0]?.index_template;
    const result =
      current === undefined
        ? 'created'
        : current._meta?.checksum === body._meta.checksum
          ? 'unchanged'
          : 'updated';
    if (result !== 'unchanged') await transport.put(url, body);
    results.push({ kind, name, result });
  }
  return results;
}

/** The templates as `gax setup … --print` writes them: bodies by name, per kind. */
export function templatesJson(templates: Templates): Record<string, Record<string, unknown>> {
  return {
    component_templates: Object.fromEntries(templates.components.map((t) => [t.name, t.body])),
    index_templates: Object.fromEntries(templates.indexTemplates.map((t) => [t.name, t.body])),
  };
}
