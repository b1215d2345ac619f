/**
 * Splits a byte stream into lines, tracking the byte offset just past each line's `\n`, so a
 * checkpoint can name exactly the first byte not yet consumed. A trailing `\r` is removed.
 *
 * A line longer than `maxLineBytes` is never buffered whole: once the limit is passed the
 * splitter keeps only a short prefix (for the dead-letter record) and discards the rest up to
 * the next `\n`, then reports it as one `tooLong` line.
 */

export interface LineSplitterOptions {
  readonly maxLineBytes: number;
  /** How many bytes of an over-long line to keep for diagnostics. */
  readonly keepPrefixBytes?: number;
}

export type SplitLine =
  | { readonly kind: 'line'; readonly text: string; readonly endOffset: number }
  | {
      readonly kind: 'too_long';
      readonly prefix: string;
      readonly byteLength: number;
      readonly endOffset: number;
    };

const NEWLINE = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  readonly #max: number;
  readonly #keep: number;
  /** Bytes of the current, unfinished line (only while it is within the limit). */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Set once the current line passed the limit; its bytes are being skipped. */
  #overflow: { prefix: string; byteLength: number } | undefined;
  /** Offset of the first byte not yet handed to `push`. */
  #offset: number;

  constructor(options: LineSplitterOptions, startOffset = 0) {
    this.#max = options.maxLineBytes;
    this.#keep = Math.min(options.keepPrefixBytes ?? 1024, options.maxLineBytes);
    this.#offset = startOffset;
  }

  /** Offset just past the last complete line returned so far. */
  get committedOffset(): number {
    return this.#offset - this.#pendingBytes - (this.#overflow?.byteLength ?? 0);
  }

  /** Bytes of an unfinished line currently held (a partial write waiting for its `\n`). */
  get pendingBytes(): number {
    return this.#pendingBytes + (this.#overflow?.byteLength ?? 0);
  }

  push(chunk: Buffer, out: SplitLine[]): void {
    let start = 0;
    const base = this.#offset;
    this.#offset += chunk.length;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) {
        this.#hold(chunk, start, chunk.length);
        return;
      }
      this.#finishLine(chunk, start, nl, base + nl + 1, out);
      start = nl + 1;
    }
  }

  /**
   * Treats the held partial line as complete (the writer went quiet, or the file was rotated
   * away). Returns nothing when no bytes are held.
   */
  flushPartial(out: SplitLine[]): void {
    if (this.pendingBytes === 0) return;
    this.#finishLine(Buffer.alloc(0), 0, 0, this.#offset, out);
  }

  /** Drops any held partial line and restarts at `offset` (after truncation or a new file). */
  reset(offset: number): void {
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#overflow = undefined;
    this.#offset = offset;
  }

  #hold(chunk: Buffer, from: number, to: number): void {
    if (from === to) return;
    if (this.#overflow !== undefined) {
      this.#overflow.byteLength += to - from;
      return;
    }
    if (this.#pendingBytes + (to - from) > this.#max) {
      const joined = Buffer.concat([...this.#pending, chunk.subarray(from, Math.min(to, from + this.#keep))]);
      this.#overflow = {
        prefix: joined.subarray(0, this.#keep).toString('utf8'),
        byteLength: this.#pendingBytes + (to - from),
      };
      this.#pending = [];
      this.#pendingBytes = 0;
      return;
    }
    // Copy: the caller may reuse its read buffer.
    this.#pending.push(Buffer.from(chunk.subarray(from, to)));
    this.#pendingBytes += to - from;
  }

  #finishLine(chunk: Buffer, from: number, to: number, endOffset: number, out: SplitLine[]): void {
    if (this.#overflow !== undefined || this.#pendingBytes + (to - from) > this.#max) {
      this.#hold(chunk, from, to);
      const overflow = this.#overflow ?? { prefix: '', byteLength: 0 };
      this.#overflow = undefined;
      out.push({ kind: 'too_long', prefix: overflow.prefix, byteLength: overflow.byteLength, endOffset });
      return;
    }
    let end = to;
    let text: string;
    if (this.#pendingBytes === 0) {
      if (end > from && chunk[end - 1] === CR) end--;
      text = chunk.toString('utf8', from, end);
    } else {
      const whole = Buffer.concat([...this.#pending, chunk.subarray(from, to)]);
      this.#pending = [];
      this.#pendingBytes = 0;
      const wEnd = whole.length > 0 && whole[whole.length - 1] === CR ? whole.length - 1 : whole.length;
      text = whole.toString('utf8', 0, wEnd);
    }
    out.push({ kind: 'line', text, endOffset });
  }
}
