import type { Logger } from 'pino';
import { loadCheckpoint, type PluginPositions, saveCheckpoint } from './checkpoint.js';

export interface CheckpointerOptions {
  readonly path: string;
  readonly logger: Logger;
  /** At most one write per interval while positions keep moving. */
  readonly intervalMs?: number;
}

/** Persists every plugin's committed positions: coalesced while running, once more on close. */
export class Checkpointer {
  readonly #options: CheckpointerOptions;
  readonly #paths = new Map<string, string>();
  readonly #plugins = new Map<string, PluginPositions>();
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
        for (const [plugin, positions] of loaded.plugins) this.#plugins.set(plugin, positions);
        return loaded.plugins;
      case 'corrupt':
        this.#options.logger.error(
          { path: this.#options.path, keptAs: loaded.keptAs, error: loaded.error },
          'Checkpoint file is corrupt; kept aside, starting from the configured position.',
        );
        return new Map();
    }
  }

  notePath(id: string, path: string): void {
    if (this.#paths.get(id) !== path) this.#paths.set(id, path);
  }

  update(plugin: string, positions: PluginPositions): void {
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
    const paths = new Map(this.#paths);
    this.#writing = this.#writing
      .then(() => saveCheckpoint(this.#options.path, plugins, paths))
      .catch((err: unknown) => {
        this.#dirty = true;
        this.#options.logger.error({ err, path: this.#options.path }, 'Cannot write checkpoint; will retry.');
      });
  }
}
