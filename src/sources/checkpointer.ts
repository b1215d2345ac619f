import type { Logger } from 'pino';
import type { Positions } from '../pipeline/acks.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';

export interface CheckpointerOptions {
  readonly path: string;
  readonly logger: Logger;
  /** At most one write per interval while positions keep moving. */
  readonly intervalMs?: number;
}

/** Persists committed positions: coalesced while running, once more on close. */
export class Checkpointer {
  readonly #options: CheckpointerOptions;
  readonly #paths = new Map<string, string>();
  #positions: Positions = new Map();
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(options: CheckpointerOptions) {
    this.#options = options;
  }

  /** Loads saved positions; a corrupt file is kept aside and reported, never fatal. */
  async load(): Promise<ReadonlyMap<string, number>> {
    const loaded = await loadCheckpoint(this.#options.path);
    switch (loaded.status) {
      case 'missing':
        return new Map();
      case 'ok':
        this.#positions = new Map(loaded.positions);
        return loaded.positions;
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

  update(positions: Positions): void {
    this.#positions = new Map(positions);
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
    const positions = this.#positions;
    const paths = new Map(this.#paths);
    this.#writing = this.#writing
      .then(() => saveCheckpoint(this.#options.path, positions, paths))
      .catch((err: unknown) => {
        this.#dirty = true;
        this.#options.logger.error({ err, path: this.#options.path }, 'Cannot write checkpoint; will retry.');
      });
  }
}
