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
   * Bytes read are handed over only while the first bytes still match the fingerprint: a
   * truncate-and-regrow between the last stat and this read would otherwise pass the new
   * file's middle off as the old file's continuation (then read it again from 0). Such bytes
   * are dropped, reading restarts at 0, and the offset it was read up to is returned.
   */
  async drain(
    buffer: Buffer,
    signal: AbortSignal,
    onChunk: (chunk: LineChunk) => Promise<void>,
  ): Promise<number | undefined> {
    const lines: SplitLine[] = [];
    while (!signal.aborted) {
      if (this.offset < this.size) this.behindSince ??= Date.now();
      const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.offset);
      if (bytesRead === 0) {
        this.behindSince = undefined;
        return undefined;
      }
      if (!(await stillMatches(this.handle, this.fingerprint.length, this.fingerprint))) {
        const at = this.offset;
        await this.#restart((await this.handle.stat()).size);
        return at;
      }
      this.offset += bytesRead;
      if (this.offset > this.size) {
        this.size = this.offset;
        this.lastGrowthAt = Date.now();
      }
      lines.length = 0;
      this.splitter.push(buffer.subarray(0, bytesRead), lines);
      if (lines.length === 0) continue;
      await onChunk(this.#chunk([...lines], bytesRead));
    }
    return undefined;
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
