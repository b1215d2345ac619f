/**
 * config.example.yaml: the core part is written by hand; the `plugins:` part is put together from
 * each plugin's own `plugins/<type>/example.yaml`, in the composition root's order, so a new
 * plugin documents its section in its folder. Also the check that the example shows every key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export type Schema = {
  [keyword: string]: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
};

const HEADING = `# Backends; at least one must be enabled. Each type below has one section; a second instance
# of a type is a named one, <type>/<name>, with its own reader, checkpoint and metric label,
# enabled unless it says enabled: false. For example:
#   elasticsearch/archive:
#     node: "https://archive.example:9200"
#     indexMode: daily
plugins:
`;

/** The example file: its hand-written core as found in `current`, then the plugins' sections. */
export function renderConfigExample(root: string, types: readonly string[]): string {
  const current = readFileSync(join(root, 'config.example.yaml'), 'utf8');
  const cut = current.indexOf('# Backends;');
  const core = cut < 0 ? `${current.trimEnd()}\n\n` : current.slice(0, cut);
  const sections = types.map((type) => {
    const text = readFileSync(join(root, 'plugins', type, 'example.yaml'), 'utf8').trimEnd();
    return text
      .split('\n')
      .map((line) => (line === '' ? '' : `  ${line}`))
      .join('\n');
  });
  return `${core}${HEADING}${sections.join('\n\n')}\n`;
}

/**
 * Every key of the schema as a path (`inputs[].from`), with the schema it names. `union` keys sit
 * in one form of several, or are (or sit under) an optional key without a default (e.g.
 * `server.tls`, `plugins.elasticsearch.cloudId`): setting one changes behaviour and there is no
 * default to show, so the example can only show those in a comment.
 */
export function schemaKeys(
  schema: Schema,
  prefix = '',
  union = false,
): { path: string; schema: Schema; union: boolean }[] {
  const element = schema.type === 'array' && schema.items !== undefined ? schema.items : schema;
  const at = element === schema ? prefix : `${prefix}[]`;
  const branches = element.anyOf?.filter((b) => b.properties !== undefined) ?? [];
  const objects = element.properties === undefined ? branches : [element];
  return objects.flatMap((object) =>
    Object.entries(object.properties ?? {}).flatMap(([key, child]) => {
      const path = at === '' ? key : `${at}.${key}`;
      const optional =
        child.default === undefined && (object.required as string[] | undefined)?.includes(key) !== true;
      const inUnion =
        union ||
        branches.length > 0 ||
        child.anyOf?.some((b) => b.properties !== undefined) === true ||
        optional;
      return [{ path, schema: child, union: inUnion }, ...schemaKeys(child, path, inUnion)];
    }),
  );
}

/** Paths present in a parsed YAML value, in the same notation. */
function present(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => present(item, `${prefix}[]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return [path, ...present(child, path)];
  });
}

/** Keys of `schema` the example text does not show (a union key: not even in a comment). */
export function missingFromExample(text: string, schema: Schema): string[] {
  const shown = new Set(present(parse(text)));
  return schemaKeys(schema)
    .filter((k) => (k.union ? !text.includes(`${k.path.split('.').at(-1)}:`) : !shown.has(k.path)))
    .map((k) => k.path);
}
