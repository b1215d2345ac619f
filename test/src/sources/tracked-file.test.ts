import { appendFileSync, truncateSync, writeFileSync } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../../src/sources/fingerprint.js';
import { type LineChunk, TrackedFile } from '../../../src/sources/tracked-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-tracked-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `n` distinct lines of ~100 bytes starting with `tag`. */
function lines(tag: string, n: number): string {
  return Array.from({ length: n }, (_, i) => `${tag}-${i} ${'x'.repeat(90)}\n`).join('');
}

async function follow(path: string): Promise<TrackedFile> {
  const handle = await open(path, 'r');
  const { size, ino, dev } = await stat(path);
  const fingerprint = await fingerprintOf(handle, size);
  return new TrackedFile({
    id: `${dev}:${ino}`,
    path,
    handle,
    offset: 0,
    size,
    fingerprint,
    maxLineBytes: 4096,
  });
}

describe('TrackedFile', () => {
  it('drops bytes read after a truncate-and-regrow that came between its stat and its read, and restarts at 0', async () => {
    const path = join(dir, 'a.log');
    writeFileSync(path, lines('old', 20));
    const file = await follow(path);
    const got: string[] = [];
    const onChunk = async (chunk: LineChunk): Promise<void> => {
      for (const line of chunk.lines) if (line.kind === 'line') got.push(line.text.split(' ')[0] as string);
    };
    const buffer = [Buffer.alloc(64 * 1024), Buffer.alloc(64 * 1024)] as const;
    const signal = new AbortController().signal;
    expect(await file.drain(buffer, signal, onChunk)).toBeUndefined();
    expect(got).toHaveLength(20);

    expect(await file.refresh()).toBe('none'); // the poll's stat: nothing new ...
    truncateSync(path, 0); // ... then, before its read, the file is rewritten and grows past it
    appendFileSync(path, lines('new', 35));
    const at = await file.drain(buffer, signal, onChunk);
    expect(at, 'offset read up to when the truncation showed').toBe(Buffer.byteLength(lines('old', 20)));
    expect(file.offset).toBe(0);
    expect(got, 'nothing of the new file handed over from its middle').toHaveLength(20);

    expect(await file.drain(buffer, signal, onChunk)).toBeUndefined();
    expect(got.slice(20)).toEqual(Array.from({ length: 35 }, (_, i) => `new-${i}`));
    await file.handle.close();
  });

  it('keeps its offset and partial line when a read fails, so the retry hands over every line once', async () => {
    const path = join(dir, 'b.log');
    writeFileSync(path, lines('l', 300)); // ~30 KB: several 4 KiB reads
    const file = await follow(path);
    const real = file.handle;
    let reads = 0;
    // The 2nd data read fails (an NFS handle gone stale) while the 1st read's check runs beside it.
    file.handle = new Proxy(real, {
      get(target, key) {
        if (key !== 'read') return Reflect.get(target, key, target);
        return (...args: unknown[]) => {
          const dataRead = args[2] === 4096; // the fingerprint checks read 1 KiB
          if (dataRead) reads++;
          if (dataRead && reads === 2)
            return Promise.reject(Object.assign(new Error('stale'), { code: 'ESTALE' }));
          return (target.read as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const got: string[] = [];
    const onChunk = async (chunk: LineChunk): Promise<void> => {
      for (const line of chunk.lines) if (line.kind === 'line') got.push(line.text.split(' ')[0] as string);
    };
    const buffers = [Buffer.alloc(4096), Buffer.alloc(4096)] as const;
    const signal = new AbortController().signal;
    await expect(file.drain(buffers, signal, onChunk)).rejects.toMatchObject({ code: 'ESTALE' });
    expect(file.offset, 'no byte past the last checked read is counted').toBeLessThanOrEqual(4096);
    expect(await file.drain(buffers, signal, onChunk)).toBeUndefined();
    expect(got).toEqual(Array.from({ length: 300 }, (_, i) => `l-${i}`));
    await real.close();
  });
});
