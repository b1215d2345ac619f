import { type FSWatcher, fstatSync, watch } from 'node:fs';
import { dirname } from 'node:path';
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
