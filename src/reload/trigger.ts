import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

/**
 * Runs reloads one at a time. A request while one runs asks for exactly one more after it (the
 * file is read when that one starts, so it sees the latest edit); more requests meanwhile add
 * nothing. `request` resolves once no reload is running or wanted.
 */
export class ReloadQueue {
  readonly #run: () => Promise<void>;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(run: () => Promise<void>) {
    this.#run = run;
  }

  request(): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      await this.#run();
    } while (this.#again);
  }
}

export interface ConfigWatch {
  close(): void;
}

/**
 * Calls `onChange` when the text of the file at `path` changes, `debounceMs` after the last
 * write. Watches the directory, not the file: editors and Kubernetes ConfigMaps replace a file
 * by renaming another over it, which a watch on the old inode never sees.
 */
export function watchConfigFile(path: string, onChange: () => void, debounceMs = 500): ConfigWatch {
  const name = basename(path);
  let last: Promise<string | undefined> = read(path);
  let timer: NodeJS.Timeout | undefined;
  const check = (): void => {
    timer = undefined;
    const previous = last;
    last = read(path);
    void Promise.all([previous, last]).then(([before, now]) => {
      if (now !== undefined && now !== before) onChange();
    });
  };
  const watcher: FSWatcher = watch(dirname(path), { persistent: false }, (_event, file) => {
    // Kubernetes swaps a `..data` symlink beside the file: any name may mean the file changed.
    if (file !== null && file !== name && !file.startsWith('..')) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(check, debounceMs);
  });
  watcher.on('error', () => watcher.close());
  return {
    close: () => {
      if (timer !== undefined) clearTimeout(timer);
      watcher.close();
    },
  };
}

function read(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}
