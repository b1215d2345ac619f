import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GaxError } from '../errors.js';
import type { CanonicalEvent } from '../schema/event.js';

/** One record of the dead-letter file (NDJSON): what was kept, where it came from, and why. */
export type DeadLetterRecord =
  | {
      readonly stage: 'parse';
      readonly reason: string;
      readonly detail: string;
      readonly source: { readonly file: string; readonly offset: number };
      /** The line as read, cut to a prefix for over-long lines. */
      readonly line: string;
    }
  | {
      readonly stage: 'deliver';
      readonly plugin: string;
      readonly kind: 'rejected' | 'exhausted';
      readonly reason: string;
      readonly event: CanonicalEvent;
    };

export interface DeadLetterOptions {
  readonly path: string;
  /** When the file passes this size it is renamed to `<path>.1` (replacing an older one). */
  readonly maxBytes: number;
  readonly now?: () => Date;
}

/**
 * Appends dead-letter records durably: `write` resolves only after the records are on disk
 * (fdatasync), so a checkpoint that moves past them can never lose them.
 */
export class DeadLetterWriter {
  readonly #options: DeadLetterOptions;
  #handle: FileHandle | undefined;
  #size = 0;
  #chain: Promise<void> = Promise.resolve();
  #written = 0;

  constructor(options: DeadLetterOptions) {
    this.#options = options;
  }

  get path(): string {
    return this.#options.path;
  }

  /** Records written since start. */
  get written(): number {
    return this.#written;
  }

  write(records: readonly DeadLetterRecord[]): Promise<void> {
    if (records.length === 0) return this.#chain;
    const next = this.#chain.then(() => this.#append(records));
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.#chain;
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }

  async #append(records: readonly DeadLetterRecord[]): Promise<void> {
    const time = (this.#options.now?.() ?? new Date()).toISOString();
    let text = '';
    for (const record of records) text += `${JSON.stringify({ time, ...record })}\n`;
    try {
      const handle = await this.#open();
      if (this.#size > 0 && this.#size + Buffer.byteLength(text) > this.#options.maxBytes) {
        await this.#rotate();
      }
      const target = this.#handle ?? handle;
      const { bytesWritten } = await target.write(text);
      await target.datasync();
      this.#size += bytesWritten;
      this.#written += records.length;
    } catch (err) {
      throw new GaxError('GAX_ERR_DEADLETTER_WRITE', `cannot write dead-letter file ${this.#options.path}`, {
        cause: err,
      });
    }
  }

  async #open(): Promise<FileHandle> {
    if (this.#handle !== undefined) return this.#handle;
    await mkdir(dirname(this.#options.path), { recursive: true });
    const handle = await open(this.#options.path, 'a');
    this.#size = (await stat(this.#options.path)).size;
    this.#handle = handle;
    return handle;
  }

  async #rotate(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
    await rename(this.#options.path, `${this.#options.path}.1`);
    await this.#open();
  }
}
