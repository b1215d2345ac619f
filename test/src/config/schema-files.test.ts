import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingFromExample, type Schema, schemaKeys } from '../../../scripts/config-example.js';
import { renderConfigFiles } from '../../../scripts/gen-config-schema.js';
import { ConfigSchema } from '../../../src/config/schema.js';

const repo = resolve(import.meta.dirname, '../../..');
const read = (relative: string) => readFile(resolve(repo, relative), 'utf8');

const all = schemaKeys(ConfigSchema as unknown as Schema);

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
    expect(missingFromExample(await read('config.example.yaml'), ConfigSchema as unknown as Schema)).toEqual(
      [],
    );
  });
});

describe('the example check', () => {
  it('names a key the example leaves out', async () => {
    const text = (await read('config.example.yaml')).replace(/^ {4}maxFiles: 5\n/m, '');
    expect(missingFromExample(text, ConfigSchema as unknown as Schema)).toEqual(['plugins.file.maxFiles']);
  });
});
