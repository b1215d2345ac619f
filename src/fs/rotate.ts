import type { FileHandle } from 'node:fs/promises';
import { rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory } from './durable.js';

/**
 * Size-based rotation shared by every file gax appends to and bounds (the dead-letter file, the
 * file plugin's output): `<path>` → `<path>.1` → … → `<path>.<keep>`, the oldest beyond `keep`
 * deleted, so at most `maxBytes × (keep + 1)` bytes are on disk.
 */

/** `<path>.<n>`: the n-th newest rotated file. */
export function rotatedPath(path: string, n: number): string {
  return `${path}.${n}`;
}

/** Whether appending `bytes` to a file of `size` passes `maxBytes` (an empty file always takes it). */
export function mustRotate(size: number, bytes: number, maxBytes: number): boolean {
  return size > 0 && size + bytes > maxBytes;
}

/**
 * Rotates `path`, written through `handle`, which this closes: shifts `<path>.n` → `<path>.n+1`
 * (deleting `<path>.<keep>`, or `path` itself when `keep` is 0), renames `<path>` → `<path>.1` and
 * fsyncs the directory so the new names survive a power cut. When `path` no longer names the
 * handle's file (another process rotated it meanwhile) nothing is renamed: the caller reopens
 * `path` and appends to the new file. `onDiscard` hears of every file deleted by the cap.
 */
export async function rotate(
  path: string,
  handle: FileHandle,
  keep: number,
  onDiscard?: (file: string, bytes: number) => void,
): Promise<void> {
  const mine = await handle.stat();
  const current = await stat(path).catch(() => undefined);
  await handle.close();
  if (current === undefined || current.ino !== mine.ino || current.dev !== mine.dev) return;
  await discard(keep === 0 ? path : rotatedPath(path, keep), onDiscard);
  for (let n = keep - 1; n >= 1; n--) {
    await rename(rotatedPath(path, n), rotatedPath(path, n + 1)).catch(ignoreMissing);
  }
  if (keep > 0) await rename(path, rotatedPath(path, 1));
  await syncDirectory(dirname(path));
}

async function discard(file: string, onDiscard?: (file: string, bytes: number) => void): Promise<void> {
  const size = await stat(file).then(
    (s) => s.size,
    () => undefined,
  );
  if (size === undefined) return;
  await unlink(file).catch(ignoreMissing);
  onDiscard?.(file, size);
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}
