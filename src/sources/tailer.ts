import { type FileHandle, open } from 'node:fs/promises';
import { glob } from 'tinyglobby';
import type { ErrorCode } from '../errors.js';
import { type Fingerprint, fingerprintOf } from './fingerprint.js';
import { ReadErrors } from './read-errors.js';
import { StartPositions } from './start-position.js';
import { currentSize, DirectoryWatches, gateShut, identify, pause } from './tail-support.js';
import type { FileState, Held, TailerOptions } from './tailer-types.js';
import { type LineChunk, TrackedFile } from './tracked-file.js';

const INPUT_READ: ErrorCode = 'GAX_ERR_INPUT_READ';

export type { FileState, TailerEvent, TailerOptions } from './tailer-types.js';
export type { LineChunk } from './tracked-file.js';

/**
 * Follows files matching glob patterns. Identity is `dev:ino` plus a fingerprint of the first
 * bytes: a renamed file is drained to its end before it is let go, a new file at the old name is
 * read from its start, truncation (copytruncate) restarts at 0, a reused inode is a new file.
 */
export class Tailer {
  readonly #o: TailerOptions;
  readonly #files = new Map<string, TrackedFile>();
  readonly #held = new Map<string, Held>();
  readonly #starts: StartPositions;
  readonly #errors = new Map<string, string>();
  readonly #buffers: readonly [Buffer, Buffer]; // one read is checked while the next fills the other
  readonly #watches = new DirectoryWatches();
  readonly #abort = new AbortController();
  readonly #readErrors: ReadErrors;
  #wake: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #firstScan = true;

  constructor(options: TailerOptions) {
    this.#o = options;
    const chunkBytes = options.readChunkBytes ?? 256 * 1024;
    this.#buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)];
    this.#readErrors = new ReadErrors({
      pollIntervalMs: options.pollIntervalMs,
      logger: options.logger,
      onError: (path, code) => options.onEvent?.({ kind: 'readError', path, code }),
    });
    this.#starts = new StartPositions({
      from: options.from,
      ...(options.saved === undefined ? {} : { saved: options.saved }),
      ...(options.horizon === undefined ? {} : { horizon: options.horizon }),
      ...(options.history === undefined ? {} : { history: options.history }),
    });
  }

  get openFiles(): number {
    return this.#files.size;
  }

  /** Files that cannot be opened or read, with the reason (for readiness). */
  get errors(): ReadonlyMap<string, string> {
    return this.#errors;
  }

  /**
   * Each open file's read position against its size now (`fstat`: a reader held by a full queue
   * does not look, and that backlog is what lag metrics and `/readyz` must show); behind from now.
   */
  states(now = Date.now()): FileState[] {
    return [...this.#files.values()].map((f) => {
      const size = Math.max(f.size, currentSize(f));
      if (f.offset < size) f.behindSince ??= now;
      return { id: f.id, path: f.path, offset: f.offset, size, behindSince: f.behindSince };
    });
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** Reads now rather than at the next poll (a catch-up reader's limit moved). */
  wake(): void {
    this.#wake?.();
  }

  /** The size of followed file `id` at its last look. */
  sizeOf(id: string): number | undefined {
    return this.#files.get(id)?.size;
  }

  /** Whether this reader let `id` go after reading it to its end, or judged it history (not read). */
  passedOver(id: string): boolean {
    return this.#starts.passedOver(id);
  }

  /** Stops reading after the chunk in hand; resolves when the read loop has ended. */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#wake?.();
    await this.#running;
    this.#watches.close();
    await Promise.all([...this.#files.values()].map((f) => f.handle.close()));
    this.#files.clear();
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        await this.#scan();
        await this.#readAll(signal);
        if (!signal.aborted) this.#o.onEvent?.({ kind: 'idle' });
      } catch (err) {
        this.#readErrors.failed('', err);
      }
      if (signal.aborted) return;
      await pause(this.#o.pollIntervalMs, (wake) => {
        this.#wake = wake;
      });
    }
  }

  async #scan(): Promise<void> {
    const startedAt = Date.now();
    const primary = await glob([...this.#o.patterns], { absolute: true, onlyFiles: true, dot: true });
    const siblings =
      (this.#o.siblingPatterns?.length ?? 0) === 0
        ? []
        : await glob([...(this.#o.siblingPatterns ?? [])], { absolute: true, onlyFiles: true, dot: true });
    this.#watches.watch(this.#o.patterns, () => this.#wake?.());
    const isPrimary = new Set(primary);
    const seen = new Set<string>();
    for (const { path, id, mtimeMs } of await identify(
      [...primary, ...siblings],
      this.#firstScan ? this.#o.saved : undefined,
    )) {
      seen.add(id);
      const known = this.#files.get(id);
      if (known !== undefined) {
        if (known.path !== path && !known.detached) this.#o.onEvent?.({ kind: 'rotated', path: known.path });
        if (known.path !== path) this.#o.onEvent?.({ kind: 'renamed', id, path });
        known.path = path;
        known.detached = false;
        continue;
      }
      if (!isPrimary.has(path) && !this.#starts.admitSibling(id, mtimeMs, this.#firstScan)) continue;
      await this.#track(id, path);
    }
    for (const file of this.#files.values()) {
      if (seen.has(file.id) || file.detached) continue;
      file.detached = true;
      this.#o.onEvent?.({ kind: 'rotated', path: file.path });
    }
    if (this.#firstScan) this.#o.onEvent?.({ kind: 'scanned', startedAt });
    this.#firstScan = false;
    this.#o.onEvent?.({ kind: 'files', open: this.#files.size });
  }

  async #track(id: string, path: string): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await (this.#o.openFile ?? ((p: string) => open(p, 'r')))(path);
      this.#errors.delete(path);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? String(err);
      if (this.#errors.get(path) !== reason) {
        this.#o.logger.error({ path, reason, code: INPUT_READ }, 'Cannot open input file.');
      }
      this.#errors.set(path, reason);
      return;
    }
    // A rotation between the scan's stat and this open leaves `path` naming another file than
    // `id`: reading it as `id` would read the new file twice and the renamed one never. Leave
    // both to the next scan, which sees each under its own identity.
    const opened = await handle.stat().catch(() => undefined);
    if (opened === undefined || `${opened.dev}:${opened.ino}` !== id) {
      await handle.close().catch(() => undefined);
      return;
    }
    const { size } = opened;
    let fingerprint: Fingerprint;
    let start: Awaited<ReturnType<StartPositions['decide']>>;
    try {
      fingerprint = await fingerprintOf(handle, size);
      start = await this.#starts.decide(
        { id, handle, size, fingerprint },
        this.#files.values(),
        this.#firstScan,
      );
    } catch (err) {
      // The first bytes cannot be read (ESTALE, EIO): the next scan tries again.
      await handle.close().catch(() => undefined);
      this.#readErrors.failed(path, err);
      return;
    }
    const file = new TrackedFile({
      id,
      path,
      handle,
      offset: start.offset,
      size,
      fingerprint,
      maxLineBytes: this.#o.maxLineBytes,
    });
    this.#files.set(id, file);
    if (start.heldBy !== undefined) this.#held.set(id, { of: start.heldBy, since: Date.now() });
    const offset = start.heldBy === undefined ? start.offset : undefined;
    this.#o.onEvent?.({ kind: 'tracked', id, path, fingerprint, offset });
    this.#o.logger.info({ path, offset: start.offset, how: start.how }, 'Following input file.');
  }

  async #readAll(signal: AbortSignal): Promise<void> {
    const now = Date.now();
    for (const file of [...this.#files.values()]) {
      if (signal.aborted) return;
      if (!this.#readable(file, now) || this.#readErrors.waiting(file, now)) continue;
      try {
        if (file.failures > 0) await file.reopen();
        await this.#read(file, signal);
        if (file.failures > 0) this.#errors.delete(file.path);
        this.#readErrors.recovered(file.path, file);
      } catch (err) {
        // Offset and partial line stay: the retry reads the same bytes. 3 in a row: not ready.
        const code = this.#readErrors.failedAll(file.path, err, file);
        if (file.failures >= 3) this.#errors.set(file.path, `read failed: ${code}`);
      }
    }
  }

  /** Notices truncation, reads `file` to its end, flushes a stale partial line, releases it if rotated. */
  async #read(file: TrackedFile, signal: AbortSignal): Promise<void> {
    const before = { fingerprint: file.fingerprint, offset: file.offset };
    if ((await file.refresh()) === 'truncated') this.#truncated(file, before.fingerprint, before.offset);
    const onChunk = async (chunk: LineChunk): Promise<void> => {
      // Paused while the gate is shut; a chunk held at stop is dropped (uncommitted: read again).
      if (await gateShut(this.#o.gate?.(), signal)) return;
      await this.#o.onChunk(chunk);
    };
    for (let fingerprint = file.fingerprint; ; fingerprint = file.fingerprint) {
      const truncatedAt = await file.drain(this.#buffers, signal, onChunk, this.#o.limit);
      if (truncatedAt === undefined) break;
      this.#truncated(file, fingerprint, truncatedAt); // between our stat and our read
    }
    if (signal.aborted) return;
    // At a limit (a catch-up reader), a held partial line is one the shared reader flushed at
    // that very offset, so it is flushed alike; the file is let go only once read to its end.
    const quiet = Date.now() - file.lastGrowthAt >= this.#o.partialLineTimeoutMs;
    if (file.detached || quiet) await file.flushPartial(onChunk);
    if (file.detached && !file.capped && !signal.aborted) await this.#release(file);
  }

  /** `file` (read up to `offset`, first bytes `fingerprint`) was truncated and restarts at 0. */
  #truncated(file: TrackedFile, fingerprint: Fingerprint, offset: number): void {
    this.#starts.noteTruncated(fingerprint, offset, Date.now());
    this.#resolveCopies(file.id, offset);
    this.#o.onEvent?.({ kind: 'truncated', id: file.id, path: file.path });
    this.#o.logger.warn({ path: file.path, offset }, 'Input file truncated; reading from its start.');
  }

  /** Whether a held file may be read now; a twin held past the copy window is read from 0. */
  #readable(file: TrackedFile, now: number): boolean {
    const held = this.#held.get(file.id);
    if (held === undefined) return true;
    if (now - held.since < Math.max(2_000, 5 * this.#o.pollIntervalMs)) return false;
    this.#held.delete(file.id);
    const { id, path, fingerprint, offset } = file;
    this.#o.onEvent?.({ kind: 'tracked', id, path, fingerprint, offset });
    return true;
  }

  /**
   * The followed file `of` was truncated after being read up to `offset`: files held as its
   * possible copies hold its old content, so they continue from that offset.
   */
  #resolveCopies(of: string, offset: number): void {
    for (const [id, held] of this.#held) {
      if (held.of !== of) continue;
      const copy = this.#files.get(id);
      if (copy !== undefined) {
        copy.offset = offset;
        copy.splitter.reset(offset);
        this.#o.onEvent?.({ kind: 'tracked', id, path: copy.path, fingerprint: copy.fingerprint, offset });
      }
      this.#held.delete(id);
      this.#o.logger.info(
        { path: copy?.path, offset },
        'Copy of a truncated file: reading it from where the original was left.',
      );
    }
  }

  async #release(file: TrackedFile): Promise<void> {
    this.#files.delete(file.id);
    this.#held.delete(file.id);
    this.#starts.noteReleased(file.id, file.offset, file.fingerprint);
    await file.handle.close();
    this.#o.logger.info(
      { path: file.path, offset: file.offset },
      'Input file rotated away and read to its end; released.',
    );
    this.#o.onEvent?.({ kind: 'released', id: file.id });
    this.#o.onEvent?.({ kind: 'files', open: this.#files.size });
  }
}
