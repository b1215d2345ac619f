import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderConfigFiles } from '../../../scripts/gen-config-schema.js';
import { ConfigSchema } from '../../../src/config/schema.js';

type Schema = {
  [keyword: string]: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
};

const repo = resolve(import.meta.dirname, '../../..');
const read = (relative: string) => readFile(resolve(repo, relative), 'utf8');

/**
 * Every key of the schema as a path (`inputs[].from`), with the schema it names. `union` keys sit
 * in one form of several, or are (or sit under) an optional key without a default (e.g.
 * `server.tls`, `plugins.elasticsearch.cloudId`): setting one changes behaviour and there is no
 * default to show, so the example can only show those in a comment.
 */
function keys(
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
      return [{ path, schema: child, union: inUnion }, ...keys(child, path, inUnion)];
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

const all = keys(ConfigSchema as unknown as Schema);

describe('generated configuration files', () => {
  it.each(
    Object.entries(renderConfigFiles()),
  )('%s is up to date (run: npx tsx scripts/gen-config-schema.ts)', async (file, text) => {
    expect(await read(file)).toBe(text);
  });

  it('the JSON Schema names its dialect and title, and requires only keys without defaults', async () => {
    const schema = JSON.parse(await read('schemas/config.schema.json')) as Schema;
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.title).toBeTypeOf('string');
    expect(schema.required).toEqual(['inputs']);
  });
});

describe('config schema', () => {
  it.each(all.map((k) => [k.path, k.schema]))('%s has a description', (_path, schema) => {
    expect(schema.description).toBeTypeOf('string');
  });
});

describe('config.example.yaml', () => {
  it('points editors at the JSON Schema', async () => {
    expect((await read('config.example.yaml')).split('\n')[0]).toBe(
      '# yaml-language-server: $schema=./schemas/config.schema.json',
    );
  });

  it('shows every key of the schema; a key of one form of a union appears at least in a comment', async () => {
    const text = await read('config.example.yaml');
    const shown = new Set(present(parse(text)));
    const missing = all.filter((k) =>
      k.union ? !text.includes(`${k.path.split('.').at(-1)}:`) : !shown.has(k.path),
    );
    expect(missing.map((k) => k.path)).toEqual([]);
  });
});
