import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../../src/sources/fingerprint.js';

describe('fingerprintOf', () => {
  it('gives each file its own fingerprint when many are taken at once (every reader of every plugin does)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gax-fp-'));
    try {
      const paths = Array.from({ length: 8 }, (_, i) => join(dir, `f${i}.log`));
      await Promise.all(paths.map((p, i) => writeFile(p, String.fromCharCode(97 + i).repeat(4096))));
      const handles = await Promise.all(paths.map((p) => open(p, 'r')));
      try {
        const alone: string[] = [];
        for (const h of handles) alone.push((await fingerprintOf(h, 4096)).hash);
        for (let round = 0; round < 50; round++) {
          const together = await Promise.all(handles.map((h) => fingerprintOf(h, 4096)));
          expect(together.map((f) => f.hash)).toEqual(alone);
        }
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
