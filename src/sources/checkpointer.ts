import type { Logger } from 'pino';
import { type FileInfo, loadCheckpoint, type PluginPositions, saveCheckpoint } from './checkpoint.js';

export interface CheckpointerOptions {
  readonly path: string;
  readonly logger: Logger;
  /** At most one write per interval while positions keep moving. */
  readonly intervalMs?: number;
}

/** Persists every plugin's committed positions: coalesced while running, once more on close. */
export class Checkpointer {
  readonly #options: CheckpointerOptions;
  readonly #files = new Map<string, FileInfo>();
  readonly #plugins = new Map<string, ReadonlyMap<string, number>>();
  #lastWrite: number | undefined;
  #savedAt: number | undefined;
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(options: CheckpointerOptions) {
    this.#options = options;
  }

  /**
   * Loads saved positions per plugin. A corrupt file is kept aside and reported, never fatal;
   * reading then starts from each input's configured `from` position.
   */
  async load(): Promise<ReadonlyMap<string, PluginPositions>> {
    const loaded = await loadCheckpoint(this.#options.path);
    switch (loaded.status) {
      case 'missing':
        return new Map();
      case 'ok':
        for (const [plugin, saved] of loaded.plugins) {
          this.#plugins.set(plugin, new Map([...saved].map(([id, f]) => [id, f.offset])));
        }
        this.#savedAt = loaded.savedAt;
        return loaded.plugins;
      case 'corrupt':
        this.#options.logger.error(
          { path: this.#options.path, keptAs: loaded.keptAs, error: loaded.error },
          'Checkpoint file is corrupt; kept aside, starting from the configured position.',
        );
        return new Map();
    }
  }

  /** When the checkpoint loaded at start was written (epoch ms), if there was one. */
  get savedAt(): number | undefined {
    return this.#savedAt;
  }

  /** Seconds since the checkpoint was last written, or undefined before the first write. */
  get ageSeconds(): number | undefined {
    return this.#lastWrite === undefined ? undefined : (Date.now() - this.#lastWrite) / 1000;
  }

  /** Records what is known of a file (its path, its fingerprint) to store beside its offsets. */
  noteFile(id: string, info: FileInfo): void {
    this.#files.set(id, info);
  }

  update(plugin: string, positions: ReadonlyMap<string, number>): void {
    this.#plugins.set(plugin, new Map(positions));
    this.#dirty = true;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, this.#options.intervalMs ?? 1000);
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flush();
    await this.#writing;
  }

  #flush(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    const plugins = new Map(this.#plugins);
    const files = new Map(this.#files);
    this.#writing = this.#writing
      .then(() => saveCheckpoint(this.#options.path, plugins, files))
      .then(() => {
        this.#lastWrite = Date.now();
      })
      .catch((err: unknown) => {
        this.#dirty = true;
        this.#options.logger.error({ err, path: this.#options.path }, 'Cannot write checkpoint; will retry.');
      });
  }
}
