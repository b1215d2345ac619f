import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectGolden, GOLDEN_UPDATE_COMMAND } from './golden.js';

describe('expectGolden', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gax-golden-'));
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails for a missing golden file, names the update command, and creates nothing', async () => {
    vi.stubEnv('GAX_UPDATE_GOLDEN', '');
    const file = join(dir, 'missing.json');
    await expect(expectGolden(file, { a: 1 })).rejects.toThrow(GOLDEN_UPDATE_COMMAND);
    await expect(access(file)).rejects.toThrow();
  });

  it('passes when the data is equal, whatever the key order and formatting', async () => {
    vi.stubEnv('GAX_UPDATE_GOLDEN', '');
    const file = join(dir, 'equal.json');
    await writeFile(file, '{"b":[1,2],"a":{"x":true}}');
    await expect(expectGolden(file, { a: { x: true }, b: [1, 2] })).resolves.toBeUndefined();
  });

  it('fails when the data differs', async () => {
    vi.stubEnv('GAX_UPDATE_GOLDEN', '');
    const file = join(dir, 'different.json');
    await writeFile(file, '{"a":1}');
    await expect(expectGolden(file, { a: 2 })).rejects.toThrow(file);
  });

  it('writes the golden file instead of comparing when GAX_UPDATE_GOLDEN=1', async () => {
    vi.stubEnv('GAX_UPDATE_GOLDEN', '1');
    const file = join(dir, 'nested', 'new.json');
    await expectGolden(file, { a: 1, skipped: undefined });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ a: 1 });
  });
});
