import { type FSWatcher, watch } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { glob } from 'tinyglobby';
import { LineSplitter, type SplitLine } from './line-splitter.js';

/** A run of complete lines read from one file, in order, ending at `endOffset`. */
export interface LineChunk {
  readonly sourceId: string;
  readonly path: string;
  readonly lines: readonly SplitLine[];
  readonly endOffset: number;
  readonly bytes: number;
}

export interface TailerOptions {
  /** Glob patterns of the files to follow (absolute, or relative to the working directory). */
  readonly patterns: readonly string[];
  /** Where to start in files seen for the first time at start-up (files appearing later: beginning). */
  readonly from: 'beginning' | 'end';
  readonly pollIntervalMs: number;
  readonly maxLineBytes: number;
  readonly readChunkBytes?: number;
  /** Committed positions from the checkpoint: source id → offset. */
  readonly startPositions?: ReadonlyMap<string, number>;
  /** Receives lines in file order; the tailer does not read on until it resolves (backpressure). */
  readonly onChunk: (chunk: LineChunk) => Promise<void>;
  readonly onFilesChanged?: (open: number) => void;
  readonly logger: Logger;
}

interface Tracked {
  readonly id: string;
  path: string;
  readonly handle: FileHandle;
  readonly splitter: LineSplitter;
  /** Next byte to read. */
  offset: number;
  /** The path no longer names this file (rotated or deleted): drain to EOF, then close. */
  detached: boolean;
}

/**
 * Follows files matching glob patterns: reads appended lines, notices files that appear, and
 * keeps reading a file renamed away by rotation until its end before letting it go. A file's
 * identity is its device and inode (see DESIGN.md for the fingerprint plan).
 */
export class Tailer {
  readonly #options: TailerOptions;
  readonly #files = new Map<string, Tracked>();
  readonly #buffer: Buffer;
  readonly #watchers = new Map<string, FSWatcher>();
  #abort = new AbortController();
  #wake: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #firstScan = true;

  constructor(options: TailerOptions) {
    this.#options = options;
    this.#buffer = Buffer.allocUnsafe(options.readChunkBytes ?? 256 * 1024);
  }

  get openFiles(): number {
    return this.#files.size;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** Stops reading after the chunk in hand; resolves when the read loop has ended. */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#wake?.();
    await this.#running;
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
    await Promise.all([...this.#files.values()].map((f) => f.handle.close()));
    this.#files.clear();
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        await this.#scan();
        await this.#readAll(signal);
      } catch (err) {
        this.#options.logger.error(
          { err, code: 'GAX_ERR_INPUT_READ' },
          'Reading input files failed; retrying.',
        );
      }
      if (signal.aborted) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.#options.pollIntervalMs);
        this.#wake = done;
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
      });
      this.#wake = undefined;
    }
  }

  async #scan(): Promise<void> {
    const paths = await glob([...this.#options.patterns], { absolute: true, onlyFiles: true, dot: true });
    this.#watchDirectories();
    const seen = new Set<string>();
    for (const path of paths.sort()) {
      const info = await stat(path).catch(() => undefined);
      if (info === undefined) continue;
      const id = `${info.dev}:${info.ino}`;
      seen.add(id);
      const known = this.#files.get(id);
      if (known !== undefined) {
        known.path = path;
        known.detached = false;
        continue;
      }
      await this.#track(id, path, info.size);
    }
    for (const file of this.#files.values()) if (!seen.has(file.id)) file.detached = true;
    this.#firstScan = false;
    this.#options.onFilesChanged?.(this.#files.size);
  }

  async #track(id: string, path: string, size: number): Promise<void> {
    const handle = await open(path, 'r').catch((err: unknown) => {
      this.#options.logger.warn({ err, path, code: 'GAX_ERR_INPUT_READ' }, 'Cannot open input file.');
      return undefined;
    });
    if (handle === undefined) return;
    const saved = this.#options.startPositions?.get(id);
    let offset = saved ?? (this.#firstScan && this.#options.from === 'end' ? size : 0);
    if (offset > size) offset = 0; // truncated while we were away
    const splitter = new LineSplitter({ maxLineBytes: this.#options.maxLineBytes }, offset);
    this.#files.set(id, { id, path, handle, splitter, offset, detached: false });
    this.#options.logger.info({ path, offset, resumed: saved !== undefined }, 'Following input file.');
  }

  async #readAll(signal: AbortSignal): Promise<void> {
    for (const file of [...this.#files.values()]) {
      if (signal.aborted) return;
      await this.#drain(file, signal);
      if (file.detached && !signal.aborted) await this.#release(file);
    }
  }

  /** Reads `file` from its offset to the current end, handing over complete lines. */
  async #drain(file: Tracked, signal: AbortSignal): Promise<void> {
    const size = (await file.handle.stat()).size;
    if (size < file.offset) {
      this.#options.logger.warn(
        { path: file.path, size, offset: file.offset },
        'Input file truncated; reading from its start.',
      );
      file.offset = 0;
      file.splitter.reset(0);
    }
    const lines: SplitLine[] = [];
    while (!signal.aborted) {
      const { bytesRead } = await file.handle.read(this.#buffer, 0, this.#buffer.length, file.offset);
      if (bytesRead === 0) return;
      file.offset += bytesRead;
      lines.length = 0;
      file.splitter.push(this.#buffer.subarray(0, bytesRead), lines);
      if (lines.length === 0) continue;
      const endOffset = (lines[lines.length - 1] as SplitLine).endOffset;
      await this.#options.onChunk({
        sourceId: file.id,
        path: file.path,
        lines: [...lines],
        endOffset,
        bytes: bytesRead,
      });
    }
  }

  /** A file renamed away or deleted, read to its end: hand over a final unterminated line, close it. */
  async #release(file: Tracked): Promise<void> {
    const lines: SplitLine[] = [];
    file.splitter.flushPartial(lines);
    if (lines.length > 0) {
      const endOffset = (lines[lines.length - 1] as SplitLine).endOffset;
      await this.#options.onChunk({ sourceId: file.id, path: file.path, lines, endOffset, bytes: 0 });
    }
    this.#files.delete(file.id);
    await file.handle.close();
    this.#options.logger.info({ path: file.path }, 'Input file rotated away and read to its end; released.');
    this.#options.onFilesChanged?.(this.#files.size);
  }

  /** Directory watches only wake the poll loop early; polling stays the source of truth. */
  #watchDirectories(): void {
    for (const pattern of this.#options.patterns) {
      const dir = staticPrefix(pattern);
      if (this.#watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, () => this.#wake?.());
        watcher.on('error', () => {
          watcher.close();
          this.#watchers.delete(dir);
        });
        this.#watchers.set(dir, watcher);
      } catch {
        // The directory does not exist yet; polling will find it.
      }
    }
  }
}

/** The directory part of a glob before its first magic character. */
function staticPrefix(pattern: string): string {
  const magic = pattern.search(/[*?[{]/);
  return dirname(magic === -1 ? pattern : pattern.slice(0, magic + 1));
}
