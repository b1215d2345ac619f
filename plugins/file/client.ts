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
