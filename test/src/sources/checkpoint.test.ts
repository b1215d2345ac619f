import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CORRUPT_COPIES_KEPT, loadCheckpoint } from '../../../src/sources/checkpoint.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-checkpoint-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadCheckpoint', () => {
  it('keeps a corrupt checkpoint aside, and only the newest few of them', async () => {
    const path = join(dir, 'checkpoint.json');
    // Copies left by earlier starts, oldest first.
    for (const ms of [1000, 2000, 3000, 4000]) await writeFile(`${path}.corrupt-${ms}`, 'x');
    await writeFile(join(dir, 'checkpoint.json.corrupt-notes'), 'not a copy: kept');
    await writeFile(path, '{"version":1,"plu');
    const loaded = await loadCheckpoint(path);
    expect(loaded.status).toBe('corrupt');
    const left = (await readdir(dir)).sort();
    const copies = left.filter((n) => /\.corrupt-\d+$/.test(n));
    expect(copies).toHaveLength(CORRUPT_COPIES_KEPT);
    expect(copies).toContain(loaded.status === 'corrupt' ? loaded.keptAs.slice(dir.length + 1) : '');
    expect(copies).toEqual(
      expect.arrayContaining(['checkpoint.json.corrupt-4000', 'checkpoint.json.corrupt-3000']),
    );
    expect(left).toContain('checkpoint.json.corrupt-notes');
    expect(left).not.toContain('checkpoint.json');
  });

  it('reports a missing checkpoint as missing', async () => {
    expect(await loadCheckpoint(join(dir, 'none.json'))).toEqual({ status: 'missing' });
  });
});
