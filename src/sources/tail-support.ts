import { type FSWatcher, fstatSync, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SavedFile } from './checkpoint.js';
import type { TrackedFile } from './tracked-file.js';

/** Names of compressed files: rotated logs gzipped in place (`-1.log.gz`) are never read as lines. */
export const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|zip|Z)$/;

/** Directory watches only wake the poll loop early; polling stays the source of truth. */
export class DirectoryWatches {
  readonly #watchers = new Map<string, FSWatcher>();

  /** Watches the static directory of each pattern not watched yet; `wake` runs on any change. */
  watch(patterns: readonly string[], wake: () => void): void {
    for (const pattern of patterns) {
      const dir = staticPrefix(pattern);
      if (this.#watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, wake);
        watcher.on('error', () => {
          watcher.close();
          this.#watchers.delete(dir);
        });
        this.#watchers.set(dir, watcher);
      } catch {
        // The directory does not exist yet; polling will find it.
      }
    }
  }

  close(): void {
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }
}

/** The directory part of a glob before its first magic character. */
function staticPrefix(pattern: string): string {
  const magic = pattern.search(/[*?[{]/);
  return dirname(magic === -1 ? pattern : pattern.slice(0, magic + 1));
}

/** Waits for `gate` (if any) to open; true when the tailer was stopped meanwhile. */
export async function gateShut(gate: Promise<void> | undefined, signal: AbortSignal): Promise<boolean> {
  if (gate === undefined) return false;
  await new Promise<void>((resolve) => {
    signal.addEventListener('abort', () => resolve(), { once: true });
    void gate.then(resolve, resolve);
  });
  return signal.aborted;
}

/** The size of `file` now (`fstat`), or its last known size once closed. */
export function currentSize(file: TrackedFile): number {
  try {
    return fstatSync(file.handle.fd).size;
  } catch {
    return file.size; // closed meanwhile
  }
}

/**
 * Stats each matched path but compressed files (a gzipped rotated log is not new lines). Files
 * the checkpoint knows (`saved`, on the first scan) come first: a new twin must not claim a saved
 * file's entry as "moved".
 */
export async function identify(
  paths: readonly string[],
  saved: ReadonlyMap<string, SavedFile> | undefined,
): Promise<{ path: string; id: string; mtimeMs: number }[]> {
  const found: { path: string; id: string; mtimeMs: number }[] = [];
  for (const path of [...new Set(paths)].sort()) {
    if (COMPRESSED.test(path)) continue;
    const info = await stat(path).catch(() => undefined);
    if (info !== undefined) found.push({ path, id: `${info.dev}:${info.ino}`, mtimeMs: info.mtimeMs });
  }
  if (saved === undefined) return found;
  return [...found.filter((f) => saved.has(f.id)), ...found.filter((f) => !saved.has(f.id))];
}

/** Waits `ms`, or less if the function handed to `onWake` is called (then undefined again). */
export function pause(ms: number, onWake: (wake: (() => void) | undefined) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    onWake(done);
    function done(): void {
      clearTimeout(timer);
      onWake(undefined);
      resolve();
    }
  });
}
