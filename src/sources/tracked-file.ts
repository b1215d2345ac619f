import { type FileHandle, open } from 'node:fs/promises';
import { FINGERPRINT_BYTES, type Fingerprint, fingerprintOf, stillMatches } from './fingerprint.js';
import { LineSplitter, type SplitLine } from './line-splitter.js';

/** A run of complete lines read from one file, in order, ending at `endOffset`. */
export interface LineChunk {
  readonly sourceId: string;
  readonly path: string;
  readonly fingerprint?: Fingerprint;
  readonly lines: readonly SplitLine[];
  readonly endOffset: number;
  readonly bytes: number;
}

export type Change = 'none' | 'truncated';

/**
 * One open input file: its read offset, a line splitter holding any partial line, and the
 * fingerprint of its first bytes, re-checked whenever it changes so that truncation (also
 * truncate-then-write faster than a poll) is noticed.
 */
export class TrackedFile {
  readonly id: string;
  path: string;
  /** Replaced by `reopen` after a read error (an NFS handle gone stale); same file, same offset. */
  handle: FileHandle;
  readonly splitter: LineSplitter;
  offset: number;
  fingerprint: Fingerprint;
  /** The path no longer names this file (rotated away or deleted): drain to EOF, then release. */
  detached = false;
  /** Size at the last stat. */
  size: number;
  /** Modification time at the last stat: a rewrite to the very same size still shows here. */
  #mtimeMs = -1;
  /** Read errors in a row, and when to try again (back-off). */
  failures = 0;
  retryAt = 0;
  /** When the file last grew (for the partial-line timeout). */
  lastGrowthAt = Date.now();
  /** The last drain stopped at the reader's limit, not at the end of the file. */
  capped = false;
  /** Since when the reader has been behind the end of the file (undefined: caught up). */
  behindSince: number | undefined;

  constructor(init: {
    id: string;
    path: string;
    handle: FileHandle;
    offset: number;
    size: number;
    fingerprint: Fingerprint;
    maxLineBytes: number;
  }) {
    this.id = init.id;
    this.path = init.path;
    this.handle = init.handle;
    this.offset = init.offset;
    this.size = init.size;
    this.fingerprint = init.fingerprint;
    this.splitter = new LineSplitter({ maxLineBytes: init.maxLineBytes }, init.offset);
  }

  /**
   * Stats the file and compares its first bytes with the fingerprint. A file now shorter than
   * the read offset, or whose first bytes changed, was truncated: reading restarts at 0.
   */
  async refresh(): Promise<Change> {
    const { size, mtimeMs } = await this.handle.stat();
    const changed = size !== this.size || (this.#mtimeMs !== -1 && mtimeMs !== this.#mtimeMs);
    this.#mtimeMs = mtimeMs;
    if (size > this.size) this.lastGrowthAt = Date.now();
    this.size = size;
    if (size < this.offset || (changed && !(await stillMatches(this.handle, size, this.fingerprint)))) {
      await this.#restart(size);
      return 'truncated';
    }
    if (this.fingerprint.length < FINGERPRINT_BYTES && size > this.fingerprint.length) {
      this.fingerprint = await fingerprintOf(this.handle, size);
    }
    return 'none';
  }

  /**
   * After a read error: opens `path` again and, when it still names this file (`dev:ino`),
   * reads through the new handle from the same offset (an NFS client's handle can go stale
   * while the file is fine). Otherwise the old handle stays. Returns whether it was swapped.
   */
  async reopen(): Promise<boolean> {
    const fresh = await open(this.path, 'r').catch(() => undefined);
    if (fresh === undefined) return false;
    const info = await fresh.stat().catch(() => undefined);
    if (info === undefined || `${info.dev}:${info.ino}` !== this.id) {
      await fresh.close().catch(() => undefined);
      return false;
    }
    const old = this.handle;
    this.handle = fresh;
    await old.close().catch(() => undefined);
    return true;
  }

  /** Reading restarts at 0: the file was truncated (or rewritten from its start). */
  async #restart(size: number): Promise<void> {
    this.offset = 0;
    this.splitter.reset(0);
    this.fingerprint = await fingerprintOf(this.handle, size);
  }

  /**
   * Reads from the offset to the current end, handing over complete lines chunk by chunk.
   * Bytes read are used (split, handed over, counted in the offset) only once the file's first
   * bytes were seen to still match the fingerprint after they were read: a truncate-and-regrow
   * between the last stat and a read would otherwise pass the new file's middle off as the old
   * file's continuation (then read it again from 0). Such bytes are dropped, reading restarts at
   * 0, and the offset up to which reading was verified is returned.
   *
   * The check of one read runs alongside the next read (both start after the first finished),
   * into the other of the two `buffers`, so a backlog costs no extra round trip per read. A read
   * that fails leaves the offset and the partial line as they were: the retry reads the same bytes.
   */
  async drain(
    buffers: readonly [Buffer, Buffer],
    signal: AbortSignal,
    onChunk: (chunk: LineChunk) => Promise<void>,
    limit?: (file: { readonly id: string; readonly detached: boolean }) => number,
  ): Promise<number | undefined> {
    let pending: { buffer: Buffer; bytes: number } | undefined;
    let turn = 0;
    this.capped = false;
    for (;;) {
      const at = this.offset + (pending?.bytes ?? 0);
      const room = limit === undefined ? Number.POSITIVE_INFINITY : limit(this) - at;
      if (room <= 0) this.capped = true;
      const reading = !signal.aborted && room > 0;
      if (reading && at < this.size) this.behindSince ??= Date.now();
      const target = buffers[turn] as Buffer;
      const [read, intact] = await both(
        reading ? this.handle.read(target, 0, Math.min(target.length, room), at) : undefined,
        pending === undefined ? true : this.#intact(),
      );
      if (!intact) {
        const verified = this.offset;
        await this.#restart((await this.handle.stat()).size);
        return verified;
      }
      if (pending !== undefined) {
        const { buffer, bytes } = pending;
        pending = undefined;
        await this.#use(buffer, bytes, onChunk);
      }
      if (read === undefined) return undefined; // stopping, or at the limit
      if (read.bytesRead === 0) {
        this.behindSince = undefined;
        return undefined;
      }
      pending = { buffer: target, bytes: read.bytesRead };
      turn = 1 - turn;
    }
  }

  /** Whether the file's first bytes still match its fingerprint (not truncated and rewritten). */
  #intact(): Promise<boolean> {
    return stillMatches(this.handle, this.fingerprint.length, this.fingerprint);
  }

  /** Takes `bytes` verified bytes of `buffer` (read at the offset): splits them and hands over the lines. */
  async #use(buffer: Buffer, bytes: number, onChunk: (chunk: LineChunk) => Promise<void>): Promise<void> {
    this.offset += bytes;
    if (this.offset > this.size) {
      this.size = this.offset;
      this.lastGrowthAt = Date.now();
    }
    const lines: SplitLine[] = [];
    this.splitter.push(buffer.subarray(0, bytes), lines);
    if (lines.length > 0) await onChunk(this.#chunk(lines, bytes));
  }

  /** Hands over a held partial line as complete (writer quiet too long, or file rotated away). */
  async flushPartial(onChunk: (chunk: LineChunk) => Promise<void>): Promise<void> {
    const lines: SplitLine[] = [];
    this.splitter.flushPartial(lines);
    if (lines.length > 0) await onChunk(this.#chunk(lines, 0));
  }

  #chunk(lines: SplitLine[], bytes: number): LineChunk {
    return {
      sourceId: this.id,
      path: this.path,
      fingerprint: this.fingerprint,
      lines,
      endOffset: (lines[lines.length - 1] as SplitLine).endOffset,
      bytes,
    };
  }
}

/**
 * Both results, like `Promise.all`, but when both fail, an AggregateError of the two: each
 * failed read is an error the caller counts (`gax_input_read_errors_total`).
 */
async function both<A, B>(a: Promise<A> | A, b: Promise<B> | B): Promise<[A, B]> {
  const [x, y] = await Promise.allSettled([a, b]);
  if (x.status === 'rejected' && y.status === 'rejected') {
    throw new AggregateError([x.reason, y.reason], 'read and check of an input file failed');
  }
  if (x.status === 'rejected') throw x.reason;
  if (y.status === 'rejected') throw y.reason;
  return [x.value, y.value];
}
