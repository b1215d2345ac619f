import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The file plugin's only I/O: an append handle, opened lazily and reopened after errors. */
export class AppendFile {
  readonly #path: string;
  #handle: FileHandle | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  async open(): Promise<void> {
    if (this.#handle !== undefined) return;
    await mkdir(dirname(this.#path), { recursive: true });
    await dropTornTail(this.#path);
    this.#handle = await open(this.#path, 'a');
  }

  async append(text: string, sync: boolean): Promise<void> {
    await this.open();
    const handle = this.#handle as FileHandle;
    try {
      await handle.write(text);
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
