import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensureDirectory, syncDirectory } from '../../src/fs/durable.js';
import { mustRotate, rotate } from '../../src/fs/rotate.js';

export interface AppendFileOptions {
  readonly path: string;
  /** Rotate before an append would take the file past this size. */
  readonly maxBytes: number;
  /** Rotated files kept (`<path>.1` … `<path>.<maxFiles>`). */
  readonly maxFiles: number;
  /** Told of each rotation, with the file the cap deleted (if any). */
  readonly onRotate?: (discarded: { file: string; bytes: number } | undefined) => void;
}

/**
 * The file plugin's only I/O: an append handle, opened lazily and reopened after errors, rotated
 * by size between batches (a batch is never split across two files).
 */
export class AppendFile {
  readonly #options: AppendFileOptions;
  #handle: FileHandle | undefined;
  #size = 0;

  constructor(options: AppendFileOptions) {
    this.#options = options;
  }

  async open(): Promise<void> {
    await this.#open();
  }

  async #open(): Promise<FileHandle> {
    if (this.#handle !== undefined) return this.#handle;
    const dir = dirname(this.#options.path);
    await ensureDirectory(dir);
    await dropTornTail(this.#options.path);
    const handle = await open(this.#options.path, 'a');
    try {
      await syncDirectory(dir); // a file just created keeps its name across a power cut
      this.#size = (await handle.stat()).size;
    } catch (err) {
      await handle.close();
      throw err;
    }
    this.#handle = handle;
    return handle;
  }

  async append(text: string, sync: boolean): Promise<void> {
    let handle = await this.#open();
    try {
      const bytes = Buffer.byteLength(text);
      if (mustRotate(this.#size, bytes, this.#options.maxBytes)) {
        this.#handle = undefined;
        let discarded: { file: string; bytes: number } | undefined;
        await rotate(this.#options.path, handle, this.#options.maxFiles, (file, size) => {
          discarded = { file, bytes: size };
        });
        this.#options.onRotate?.(discarded);
        handle = await this.#open();
      }
      const { bytesWritten } = await handle.write(text);
      this.#size += bytesWritten;
      if (sync) await handle.datasync();
    } catch (err) {
      this.#handle = undefined;
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }
}

const TAIL_WINDOW = 64 * 1024;

/**
 * A crash (SIGKILL, power loss) can interrupt a write and leave a last line without its
 * newline. That batch was never acknowledged, so it will be written again: cut the torn line off
 * before appending, so the output stays one whole JSON object per line.
 */
async function dropTornTail(path: string): Promise<void> {
  const handle = await open(path, 'r+').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (handle === undefined) return;
  try {
    const info = await handle.stat();
    const size = info.size;
    if (!info.isFile() || size === 0) return;
    let end = size;
    const buffer = Buffer.allocUnsafe(TAIL_WINDOW);
    while (end > 0) {
      const start = Math.max(0, end - TAIL_WINDOW);
      const { bytesRead } = await handle.read(buffer, 0, end - start, start);
      const nl = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl !== -1) {
        if (start + nl + 1 < size) await handle.truncate(start + nl + 1);
        return;
      }
      end = start;
    }
    await handle.truncate(0);
  } finally {
    await handle.close();
  }
}
