/** The two streams `gax parse` writes to. */
export interface ParseIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const FLUSH_CHARS = 64 * 1024;

/**
 * Collects stdout and stderr text and writes it in large batches, waiting for `drain` when a
 * stream's buffer is full. A stream error (e.g. EPIPE when the reader went away) sets `failed`
 * instead of crashing the process; the caller stops producing output then.
 */
export class BatchedOutput {
  readonly #io: ParseIo;
  #out = '';
  #err = '';
  #failed = false;
  readonly #onError = (): void => {
    this.#failed = true;
  };

  constructor(io: ParseIo) {
    this.#io = io;
    io.stdout.on('error', this.#onError);
    io.stderr.on('error', this.#onError);
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** True when enough text is buffered that the caller should `await flush()`. */
  get pending(): boolean {
    return this.#out.length >= FLUSH_CHARS || this.#err.length >= FLUSH_CHARS;
  }

  event(text: string): void {
    this.#out += text;
  }

  error(text: string): void {
    this.#err += text;
  }

  async flush(): Promise<void> {
    const out = this.#out;
    const err = this.#err;
    this.#out = '';
    this.#err = '';
    if (out.length > 0) await write(this.#io.stdout, out, this);
    if (err.length > 0) await write(this.#io.stderr, err, this);
  }

  /** Flushes what is left and detaches from the streams; the streams stay open. */
  async close(): Promise<void> {
    await this.flush();
    this.#io.stdout.removeListener('error', this.#onError);
    this.#io.stderr.removeListener('error', this.#onError);
  }
}

async function write(stream: NodeJS.WritableStream, text: string, output: BatchedOutput): Promise<void> {
  if (output.failed || stream.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      stream.removeListener('drain', done);
      stream.removeListener('close', done);
      stream.removeListener('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
