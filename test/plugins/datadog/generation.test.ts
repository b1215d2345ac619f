import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextGeneration } from '../../../plugins/datadog/generation.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-dd-gen-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('nextGeneration', () => {
  it('counts plugin starts in the state dir, creating it, and leaves no temp file', async () => {
    const state = join(dir, 'state');
    expect(await nextGeneration(state, 'datadog')).toBe(0);
    expect(await nextGeneration(state, 'datadog')).toBe(1);
    expect(await nextGeneration(state, 'other')).toBe(0);
    expect(JSON.parse(await readFile(join(state, 'datadog-datadog.json'), 'utf8'))).toEqual({
      generation: 1,
    });
    expect((await readdir(state)).sort()).toEqual(['datadog-datadog.json', 'datadog-other.json']);
  });

  it('keeps a named instance (datadog/eu) in its own file of the state dir, beside the base one', async () => {
    expect(await nextGeneration(dir, 'datadog')).toBe(0);
    expect(await nextGeneration(dir, 'datadog/eu')).toBe(0);
    expect(await nextGeneration(dir, 'datadog/eu')).toBe(1);
    expect(await nextGeneration(dir, 'datadog')).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['datadog-datadog.eu.json', 'datadog-datadog.json']);
  });

  it('starts again at 0 after an unreadable file', async () => {
    await writeFile(join(dir, 'datadog-datadog.json'), '{"gener');
    expect(await nextGeneration(dir, 'datadog')).toBe(0);
  });
});
