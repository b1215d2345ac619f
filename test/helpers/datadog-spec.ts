import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { v1 } from '@datadog/datadog-api-client';
import { UnparsedObject } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-common/util.js';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

/**
 * Offline validators for what gax sends to Datadog and for the dashboards/monitors it bundles.
 *
 * - v1 schemas come from Datadog's own OpenAPI spec (`test/fixtures/datadog/datadog-api-v1-openapi.yaml`,
 *   the spec `@datadog/datadog-api-client` is generated from), compiled with ajv after two rewrites:
 *   OpenAPI 3.0 `nullable: true` becomes JSON Schema, and every `oneOf` whose branches are told apart by
 *   one required enum property (widget definitions by `type`, formula queries by `data_source`, …) becomes
 *   an `if`/`then` per value, so an invalid widget yields the errors of its own definition instead of ~100
 *   errors from every other widget kind. The rewrite accepts exactly what the `oneOf` accepted.
 * - v2 intake schemas (`v2/MetricPayload`, `v2/HTTPLog`) are hand-written from Datadog's API reference.
 * - {@link clientRoundTrip} is a second opinion: the client's own `ObjectSerializer`.
 *
 * The spec YAML (1.6 MB) takes most of a second to parse: it is parsed on first use, once per process,
 * and each schema is compiled once.
 */

export type DatadogSchemaName =
  | 'Dashboard'
  | 'Monitor'
  | 'LogsPipeline'
  | 'DistributionPointsPayload'
  | 'MetricsPayload'
  | 'v2/MetricPayload'
  | 'v2/HTTPLog';

/** Readable problems with `data` (`"<JSON pointer> <message>"`); empty when valid. */
export type DatadogValidator = (data: unknown) => string[];

const FIXTURES = fileURLToPath(new URL('../fixtures/datadog/', import.meta.url));
export const DATADOG_V1_SPEC_PATH = `${FIXTURES}datadog-api-v1-openapi.yaml`;
const V2_SCHEMA_FILES = {
  'v2/MetricPayload': 'v2-metric-payload.schema.json',
  'v2/HTTPLog': 'v2-http-log.schema.json',
} as const;

type AddFormats = typeof addFormatsModule.default;
// ajv-formats is CommonJS: under Node's ESM interop the default import is `module.exports`,
// whose `default` is the plugin; other loaders hand over the plugin itself.
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats);

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const REF_PREFIX = '#/components/schemas/';
const V1_ID = 'datadog-api-v1';

/** OpenAPI 3.0 `nullable: true` → JSON Schema (`type: [t, 'null']`, or `anyOf` with null when untyped). */
function convertNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convertNullable);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    // `example` values are data, not schemas.
    out[key] = key === 'example' || key === 'examples' ? value : convertNullable(value);
  }
  const nullable = out.nullable === true;
  delete out.nullable;
  if (!nullable) return out;
  if (typeof out.type === 'string' && out.$ref === undefined) {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

function refTarget(schemas: JsonObject, node: unknown): JsonObject | undefined {
  if (!isObject(node)) return undefined;
  if (typeof node.$ref === 'string') {
    if (!node.$ref.startsWith(REF_PREFIX)) return undefined;
    const target = schemas[node.$ref.slice(REF_PREFIX.length)];
    return isObject(target) ? target : undefined;
  }
  return node;
}

/** The values `prop` may take in `schema`, when it is a required enum (or a oneOf of such schemas). */
function discriminatorValues(
  schemas: JsonObject,
  schema: JsonObject | undefined,
  prop: string,
): unknown[] | undefined {
  if (schema === undefined) return undefined;
  if (Array.isArray(schema.oneOf) && schema.properties === undefined) {
    const nested = schema.oneOf.map((b) => discriminatorValues(schemas, refTarget(schemas, b), prop));
    if (nested.some((v) => v === undefined)) return undefined;
    return [...new Set(nested.flat())];
  }
  if (schema.type !== 'object' || !Array.isArray(schema.required) || !schema.required.includes(prop)) {
    return undefined;
  }
  const propSchema = isObject(schema.properties) ? refTarget(schemas, schema.properties[prop]) : undefined;
  return propSchema !== undefined && Array.isArray(propSchema.enum) ? propSchema.enum : undefined;
}

/**
 * Rewrites each top-level `oneOf` whose branches are all objects requiring one enum-valued property
 * into `{type: object, required: [p], properties: {p: {enum: all}}, allOf: [{if: p = v, then: branch(es)}]}`.
 * Equivalent to the `oneOf` (each branch requires `p` and only accepts its own values; values shared by
 * several branches keep a `oneOf` of those), but errors come from the one branch the data selected.
 */
function preselectOneOfs(schemas: JsonObject): void {
  for (const [name, schema] of Object.entries(schemas)) {
    if (!isObject(schema) || !Array.isArray(schema.oneOf) || schema.properties !== undefined) continue;
    const branches = schema.oneOf as unknown[];
    const targets = branches.map((b) => refTarget(schemas, b));
    const candidates = new Set(['type', 'data_source']);
    for (const t of targets)
      if (t && Array.isArray(t.required)) for (const r of t.required) candidates.add(String(r));
    for (const prop of candidates) {
      const values = targets.map((t) => discriminatorValues(schemas, t, prop));
      if (values.some((v) => v === undefined)) continue;
      const byValue = new Map<unknown, unknown[]>();
      values.forEach((vs, i) => {
        for (const v of vs ?? []) byValue.set(v, [...(byValue.get(v) ?? []), branches[i]]);
      });
      const { oneOf: _oneOf, ...rest } = schema;
      schemas[name] = {
        ...rest,
        type: 'object',
        required: [prop],
        properties: { [prop]: { enum: [...byValue.keys()] } },
        allOf: [...byValue].map(([value, bs]) => ({
          if: { properties: { [prop]: { const: value } }, required: [prop] },
          // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable.
          then: bs.length === 1 ? bs[0] : { oneOf: bs },
        })),
      };
      break;
    }
  }
}

let ajvInstance: Ajv | undefined;
let v1Loaded = false;
const compiled = new Map<DatadogSchemaName, ValidateFunction>();

function ajv(): Ajv {
  if (ajvInstance) return ajvInstance;
  const instance = new Ajv({ strict: false, allErrors: true });
  addFormats(instance);
  // OpenAPI formats ajv-formats does not know. `type: integer` already rejects fractions; formats only
  // add the int32 range, so a fraction yields one error, not two.
  instance.addFormat('int32', {
    type: 'number',
    validate: (n: number) => !Number.isInteger(n) || (n >= -(2 ** 31) && n < 2 ** 31),
  });
  for (const f of ['int64', 'float', 'double'])
    instance.addFormat(f, { type: 'number', validate: () => true });
  instance.addFormat('binary', true);
  ajvInstance = instance;
  return instance;
}

function loadV1(): void {
  if (v1Loaded) return;
  const spec = parseYaml(readFileSync(DATADOG_V1_SPEC_PATH, 'utf8')) as {
    components: { schemas: JsonObject };
  };
  const schemas = convertNullable(spec.components.schemas) as JsonObject;
  preselectOneOfs(schemas);
  ajv().addSchema({ $id: V1_ID, components: { schemas } });
  v1Loaded = true;
}

function compile(name: DatadogSchemaName): ValidateFunction {
  const cached = compiled.get(name);
  if (cached) return cached;
  let fn: ValidateFunction | undefined;
  if (name === 'v2/MetricPayload' || name === 'v2/HTTPLog') {
    const schema = JSON.parse(readFileSync(`${FIXTURES}${V2_SCHEMA_FILES[name]}`, 'utf8')) as JsonObject;
    fn = ajv().compile(schema);
  } else {
    loadV1();
    fn = ajv().getSchema(`${V1_ID}${REF_PREFIX}${name}`);
  }
  if (!fn) throw new Error(`no Datadog schema named ${name}`);
  compiled.set(name, fn);
  return fn;
}

const MAX_LISTED_VALUES = 60;

function describe(e: ErrorObject): string {
  const path = e.instancePath === '' ? '/' : e.instancePath;
  const params = e.params as Record<string, unknown>;
  let detail = '';
  if (Array.isArray(params.allowedValues)) {
    const values = params.allowedValues.map((v) => JSON.stringify(v));
    const more = values.length > MAX_LISTED_VALUES ? `, … (${values.length - MAX_LISTED_VALUES} more)` : '';
    detail = `: ${values.slice(0, MAX_LISTED_VALUES).join(', ')}${more}`;
  } else if (params.allowedValue !== undefined) {
    detail = `: ${JSON.stringify(params.allowedValue)}`;
  } else if (typeof params.additionalProperty === 'string') {
    detail = `: '${params.additionalProperty}'`;
  }
  return `${path} ${e.message ?? e.keyword}${detail}`;
}

/** ajv errors as readable lines, without the bookkeeping errors of `if`/`anyOf`-with-null wrappers. */
export function formatAjvErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  const all = errors ?? [];
  const nullAlternative = (e: ErrorObject) =>
    e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null';
  const meaningful = all.filter((e) => {
    if (e.keyword === 'if') return false;
    if (nullAlternative(e)) return false;
    if (e.keyword === 'anyOf') {
      // A nullable `$ref` failed: its own errors (same path or deeper) already say why.
      return !all.some(
        (o) =>
          o !== e &&
          o.keyword !== 'if' &&
          !nullAlternative(o) &&
          o.keyword !== 'anyOf' &&
          (o.instancePath === e.instancePath || o.instancePath.startsWith(`${e.instancePath}/`)),
      );
    }
    return true;
  });
  return [...new Set(meaningful.map(describe))];
}

/**
 * A validator for one Datadog schema: v1 components `Dashboard`, `Monitor`, `LogsPipeline`, `DistributionPointsPayload`,
 * `MetricsPayload`, or the v2 intake bodies `v2/MetricPayload`, `v2/HTTPLog`. Compiled on first call
 * and cached.
 */
export function datadogValidator(name: DatadogSchemaName): DatadogValidator {
  return (data: unknown) => {
    const fn = compile(name);
    return fn(data) ? [] : formatAjvErrors(fn.errors);
  };
}

type ModelClass = { getAttributeTypeMap?: () => Record<string, { baseName: string }> };

function isModel(value: object): boolean {
  return typeof (value.constructor as ModelClass).getAttributeTypeMap === 'function';
}

/** JSON name of a model attribute (`layoutType` → `layout_type`). */
function baseName(model: object, attr: string): string {
  const map = (model.constructor as ModelClass).getAttributeTypeMap?.();
  return map?.[attr]?.baseName ?? attr;
}

function truncate(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function findUnparsed(value: unknown, path: string, unknownKeys: boolean, out: string[]): void {
  if (value instanceof UnparsedObject) {
    out.push(`${path || '/'} not understood by the client: ${truncate(JSON.stringify(value._data))}`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      findUnparsed(v, `${path}/${i}`, unknownKeys, out);
    });
    return;
  }
  if (!isObject(value) || value instanceof Date) return;
  for (const [attr, v] of Object.entries(value)) {
    if (attr === '_unparsed') continue;
    if (attr === 'additionalProperties' && isModel(value)) {
      if (unknownKeys && isObject(v)) {
        for (const key of Object.keys(v))
          out.push(`${path}/${key} unknown property (kept in additionalProperties)`);
      }
      continue;
    }
    findUnparsed(v, `${path}/${baseName(value, attr)}`, unknownKeys, out);
  }
}

function diff(before: unknown, after: unknown, path: string, out: string[]): void {
  if (Object.is(before, after)) return;
  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.length !== after.length) {
      out.push(`${path || '/'} has ${before.length} items before and ${after.length} after`);
      return;
    }
    before.forEach((b, i) => {
      diff(b, after[i], `${path}/${i}`, out);
    });
    return;
  }
  if (isObject(before) && isObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      diff(before[key], after[key], `${path}/${key}`, out);
    }
    return;
  }
  out.push(
    `${path || '/'} changes from ${truncate(JSON.stringify(before) ?? 'undefined', 60)} to ${truncate(JSON.stringify(after) ?? 'undefined', 60)}`,
  );
}

/**
 * The client's opinion of a dashboard or monitor JSON (snake_case, as sent to the API): deserializes it
 * with the v1 `ObjectSerializer` and reports every field it could not parse (`UnparsedObject`, e.g. an
 * unknown enum value or widget type), every key it only kept in `additionalProperties` (legal per spec,
 * usually a typo; `unknownProperties: 'ignore'` to allow), thrown errors (wrong primitive type, missing
 * required field), and any difference after serializing the model back. Empty when the client
 * understands all of it.
 */
export function clientRoundTrip(
  kind: 'Dashboard' | 'Monitor' | 'LogsPipeline',
  json: unknown,
  options: { unknownProperties?: 'report' | 'ignore' } = {},
): string[] {
  const out: string[] = [];
  let model: unknown;
  try {
    model = v1.ObjectSerializer.deserialize(json, kind, '');
  } catch (err) {
    return [`/ the client cannot deserialize this ${kind}: ${(err as Error).message}`];
  }
  findUnparsed(model, '', options.unknownProperties !== 'ignore', out);
  let back: unknown;
  try {
    back = v1.ObjectSerializer.serialize(model, kind, '');
  } catch (err) {
    out.push(`/ the client cannot serialize this ${kind} back: ${(err as Error).message}`);
    return out;
  }
  diff(JSON.parse(JSON.stringify(json)), JSON.parse(JSON.stringify(back)), '', out);
  return out;
}
