import { dirname, join, resolve } from 'node:path';
import { type Found, formatPath, type Segment } from './locate.js';
import { type Config, ConfigSchema } from './schema.js';

/** A JSON Schema as TypeBox builds it, with our custom keywords (`secret`, `filePath`, `errorMessage`). */
export type Schema = {
  [keyword: string]: unknown;
  properties?: Record<string, Schema>;
  /** Named plugin instances (`plugins.elasticsearch/archive`) are matched by pattern. */
  patternProperties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
};

export const rootSchema = ConfigSchema as Schema;

/** The schema of `key` under `schema`: its own property, or the first pattern the key matches. */
export function childSchema(schema: Schema, key: string): Schema | undefined {
  const own = schema.properties?.[key];
  if (own !== undefined) return own;
  const patterns = Object.entries(schema.patternProperties ?? {});
  return patterns.find(([pattern]) => new RegExp(pattern, 'u').test(key))?.[1];
}

/** Whether every schema the path can reach wants a string, so `${VAR}` there is never reread as YAML. */
export function expectsString(path: Segment[]): boolean {
  let schemas = [rootSchema];
  for (const segment of path) {
    schemas = schemas
      .flatMap((s) => [s, ...(s.anyOf ?? [])])
      .flatMap((s) => {
        const next = typeof segment === 'number' ? s.items : childSchema(s, segment);
        return next === undefined ? [] : [next];
      });
  }
  const leaves = schemas.flatMap((s) => [s, ...(s.anyOf ?? [])]).filter((s) => s.anyOf === undefined);
  return leaves.length > 0 && leaves.every((s) => s.type === 'string');
}

/** The validated data as a `Config`: `filePath` values resolved against the config file's directory. */
export function resolvePaths(data: unknown, source: string | undefined): Config {
  const base = source === undefined ? process.cwd() : dirname(resolve(source));
  const config = mapMarked(rootSchema, data, 'filePath', (p) =>
    typeof p === 'string' && p !== '' ? resolve(base, p) : p,
  ) as Config;
  if (config.pipeline.deadLetter.path === '') {
    config.pipeline.deadLetter.path = join(config.state.dir, 'dead-letter.ndjson');
  }
  return config;
}

/** Warnings for `secret` values written in the file rather than taken from the environment. */
export function plainSecrets(data: unknown, substituted: ReadonlySet<string>): Found[] {
  const found: Found[] = [];
  mapMarked(rootSchema, data, 'secret', (value, path) => {
    if (value !== '' && !substituted.has(formatPath(path))) {
      found.push({
        path,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is config syntax
        message: 'secret written in the file; prefer an ${ENV_VAR} reference',
        code: 'GAX_ERR_CONFIG_INVALID',
      });
    }
    return value;
  });
  return found;
}

/** Warnings for `tls.rejectUnauthorized: false` in an enabled plugin (or anywhere outside `plugins`). */
export function insecureTls(data: unknown, path: Segment[] = []): Found[] {
  if (typeof data !== 'object' || data === null) return [];
  const node = data as Record<string, unknown>;
  if (path.length === 2 && path[0] === 'plugins' && node.enabled !== true) return [];
  const tls = node.tls as { rejectUnauthorized?: unknown } | undefined;
  const here: Found[] =
    tls?.rejectUnauthorized === false
      ? [
          {
            path: [...path, 'tls', 'rejectUnauthorized'],
            message:
              'certificate verification is off: anyone on the network path can read credentials and events; give the CA with caFile instead',
            code: 'GAX_ERR_TLS_INSECURE',
          },
        ]
      : [];
  const nested = Object.entries(node).flatMap(([key, child]) =>
    key === 'tls' ? [] : insecureTls(child, [...path, key]),
  );
  return [...here, ...nested];
}

/** Deep copy of `value` with keys in schema order, and `fn` applied to every value whose schema has `mark: true`. */
export function mapMarked(
  schema: Schema | undefined,
  value: unknown,
  mark: 'secret' | 'filePath',
  fn: (value: unknown, path: Segment[]) => unknown,
  path: Segment[] = [],
): unknown {
  const candidates = schema === undefined ? [] : [schema, ...(schema.anyOf ?? [])];
  if (candidates.some((s) => s[mark] === true)) return fn(value, path);
  if (Array.isArray(value)) {
    const items = candidates.find((s) => s.items !== undefined)?.items;
    return value.map((item, i) => mapMarked(items, item, mark, fn, [...path, i]));
  }
  if (typeof value !== 'object' || value === null) return value;
  const order = candidates.flatMap((s) => Object.keys(s.properties ?? {}));
  const rank = (key: string) => (order.includes(key) ? order.indexOf(key) : order.length);
  const sorted = Object.entries(value).sort(([a], [b]) => rank(a) - rank(b));
  const entries = sorted.map(([key, child]) => {
    const sub = candidates.map((s) => childSchema(s, key)).find((c) => c !== undefined);
    return [key, mapMarked(sub, child, mark, fn, [...path, key])];
  });
  return Object.fromEntries(entries);
}
