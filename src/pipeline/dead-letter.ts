import type { FileHandle } from 'node:fs/promises';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type ErrorCode, GaxError } from '../errors.js';
import { ensureDirectory, syncDirectory } from '../fs/durable.js';
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
      /**
       * The input's format (`gateway.type`) and `host.name`, so the dead-letter tools re-parse the
       * line with its own parser and stamp its own origin. Absent from records of gax 0.1.
       */
      readonly format?: string;
      readonly host?: string;
    }
  | {
      readonly stage: 'deliver';
      readonly plugin: string;
      readonly kind: 'rejected' | 'exhausted';
      readonly reason: string;
      readonly event: CanonicalEvent;
    };

/** A record as stored: the writer adds the time it was written (ISO-8601 UTC). */
export type StoredDeadLetterRecord = DeadLetterRecord & { readonly time: string };

export interface DeadLetterOptions {
  readonly path: string;
  /** When the file would pass this size it is rotated to `<path>.1` first. */
  readonly maxBytes: number;
  /**
   * Rotated files kept (`<path>.1` newest … `<path>.<maxFiles>` oldest; default 1); the oldest
   * beyond that is deleted. At most `maxBytes × (maxFiles + 1)` bytes are on disk.
   */
  readonly maxFiles?: number;
  /** Called when rotation deletes a file of dead letters (the cap was reached). */
  readonly onDiscard?: (file: string, bytes: number) => void;
  readonly now?: () => Date;
}

/** `<path>.<n>`: the n-th newest rotated dead-letter file. */
export function rotatedPath(path: string, n: number): string {
  return `${path}.${n}`;
}

/**
 * Appends dead-letter records durably: `write` resolves only after the records are on disk
 * (fdatasync), so a checkpoint that moves past them can never lose them.
 *
 * Other processes may append to the same file (`gax dlq replay`, `gax replay`): every write is
 * one `O_APPEND` write of whole lines, and a writer that finds the file already rotated by
 * someone else reopens it instead of rotating again. A torn last line (a crash mid-write) is
 * closed with a newline before the first append, so it never swallows the next record.
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
      let handle = await this.#open();
      if (this.#size > 0 && this.#size + Buffer.byteLength(text) > this.#options.maxBytes) {
        handle = await this.#rotate(handle);
      }
      const { bytesWritten } = await handle.write(text);
      await handle.datasync();
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
    const dir = dirname(this.#options.path);
    await ensureDirectory(dir);
    const handle = await open(this.#options.path, 'a+');
    try {
      // A file just created (first start, or after rotation) must keep its name across a power
      // cut, or the records fdatasynced into it are lost with it (src/fs/durable.ts).
      await syncDirectory(dir);
      let size = (await handle.stat()).size;
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) size += (await handle.write('\n')).bytesWritten;
      }
      this.#size = size;
    } catch (err) {
      await handle.close();
      throw err;
    }
    this.#handle = handle;
    return handle;
  }

  /** Shifts `<path>.n` → `<path>.n+1` (dropping the oldest), then `<path>` → `<path>.1`. */
  async #rotate(handle: FileHandle): Promise<FileHandle> {
    const { path } = this.#options;
    const mine = await handle.stat();
    const current = await stat(path).catch(() => undefined);
    await handle.close();
    this.#handle = undefined;
    if (current !== undefined && current.ino === mine.ino && current.dev === mine.dev) {
      const keep = this.#options.maxFiles ?? 1;
      await this.#discard(keep === 0 ? path : rotatedPath(path, keep));
      for (let n = keep - 1; n >= 1; n--) {
        await rename(rotatedPath(path, n), rotatedPath(path, n + 1)).catch(ignoreMissing);
      }
      if (keep > 0) await rename(path, rotatedPath(path, 1));
      await syncDirectory(dirname(path));
    }
    // Rotated by another process meanwhile: append to the new file, do not rotate it again.
    return this.#open();
  }

  async #discard(file: string): Promise<void> {
    const size = await stat(file).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) return;
    await unlink(file).catch(ignoreMissing);
    this.#options.onDiscard?.(file, size);
  }
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}

/** The dead-letter writer of `pipeline.deadLetter`; a deleted file (the cap) is logged as an error. */
export function deadLetterWriter(
  section: { readonly path: string; readonly maxBytes: number; readonly maxFiles: number },
  logger: { error(obj: object, msg: string): void },
): DeadLetterWriter {
  return new DeadLetterWriter({
    path: section.path,
    maxBytes: section.maxBytes,
    maxFiles: section.maxFiles,
    onDiscard: (file, bytes) =>
      logger.error(
        { file, bytes, code: 'GAX_ERR_DEADLETTER_FULL' satisfies ErrorCode },
        'Dead-letter files reached their cap; the oldest was deleted.',
      ),
  });
}
