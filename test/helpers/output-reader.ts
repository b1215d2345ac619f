/**
 * Reading the file plugin's NDJSON output while the daemon writes it, and waiting on it: the
 * crash and rotation-matrix tests count what was delivered with these.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reads the file plugin's NDJSON output as it grows: counts lines and correlationIds, and keeps
 * every line that is not a whole JSON object (a torn write) for the test to report.
 */
export class OutputReader {
  readonly counts = new Map<string, number>();
  readonly corrupt: string[] = [];
  /** Lines that are whole events. */
  lines = 0;
  readonly #path: string;
  #offset = 0;
  #carry = '';

  constructor(path: string) {
    this.#path = path;
  }

  /** Events delivered once or more. */
  get distinct(): number {
    return this.counts.size;
  }

  /** Event lines beyond the first of each correlationId. */
  get duplicates(): number {
    return this.lines - this.counts.size;
  }

  /**
   * Reads what was appended since the last call. With `final`, a last line without newline is
   * judged too (it is torn if the writer is gone).
   */
  poll(final = false): this {
    if (existsSync(this.#path)) {
      const fd = openSync(this.#path, 'r');
      try {
        const size = fstatSync(fd).size;
        if (size > this.#offset) {
          const buffer = Buffer.allocUnsafe(size - this.#offset);
          let got = 0;
          while (got < buffer.length) {
            const n = readSync(fd, buffer, got, buffer.length - got, this.#offset + got);
            if (n === 0) break;
            got += n;
          }
          // Consume whole lines only and re-read a partial last line next time: after a crash
          // the file plugin cuts a torn last line off and appends again from there.
          const end = buffer.subarray(0, got).lastIndexOf(0x0a) + 1;
          this.#consume(buffer.toString('utf8', 0, end));
          this.#offset += end;
          this.#carry = buffer.toString('utf8', end, got);
        } else {
          this.#carry = '';
        }
      } finally {
        closeSync(fd);
      }
    }
    if (final && this.#carry !== '') {
      this.corrupt.push(this.#carry);
      this.#carry = '';
    }
    return this;
  }

  #consume(text: string): void {
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let id: unknown;
      try {
        id = (JSON.parse(line) as { correlationId?: unknown }).correlationId;
      } catch {
        this.corrupt.push(line);
        continue;
      }
      if (typeof id !== 'string') {
        this.corrupt.push(line);
        continue;
      }
      this.lines++;
      this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
    }
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `reader` until every id in `ids` was delivered at least once. Gives up after `timeoutMs`,
 * or earlier once the output has not grown for `stallMs` (the daemon is idle, so what is missing
 * will not come); the error says how many ids are missing and shows a few.
 */
export async function waitForIds(
  reader: OutputReader,
  ids: readonly string[],
  timeoutMs: number,
  options: { what?: string; stallMs?: number } = {},
): Promise<void> {
  const started = Date.now();
  let lines = -1;
  let grewAt = started;
  for (;;) {
    reader.poll();
    const missing = ids.filter((id) => !reader.counts.has(id));
    if (missing.length === 0) return;
    const now = Date.now();
    if (reader.lines !== lines) {
      lines = reader.lines;
      grewAt = now;
    }
    const stalled = options.stallMs !== undefined && now - grewAt > options.stallMs;
    if (now - started > timeoutMs || stalled) {
      const why = stalled ? `no output for ${options.stallMs} ms` : `timed out after ${timeoutMs} ms`;
      throw new Error(
        `${why} waiting for ${options.what ?? 'every written event'}: ${missing.length} of ${ids.length} ids missing (first: ${missing.slice(0, 3).join(', ')})`,
      );
    }
    await sleep(25);
  }
}
