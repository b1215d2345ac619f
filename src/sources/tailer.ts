import { type FSWatcher, watch } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { glob } from 'tinyglobby';
import type { SavedFile } from './checkpoint.js';
import { type Fingerprint, fingerprintOf, isFull, sameFingerprint, stillMatches } from './fingerprint.js';
import { type LineChunk, TrackedFile } from './tracked-file.js';

export type { LineChunk } from './tracked-file.js';

export interface TailerOptions {
  /** Glob patterns of the files to follow (absolute, or relative to the working directory). */
  readonly patterns: readonly string[];
  /** Where to start in files found on the very first run (no checkpoint at all): beginning or end. */
  readonly from: 'beginning' | 'end';
  readonly pollIntervalMs: number;
  readonly maxLineBytes: number;
  /** A final line without newline is handed over as complete after this long without growth. */
  readonly partialLineTimeoutMs: number;
  readonly readChunkBytes?: number;
  /**
   * Patterns of rotated siblings (log4j2 `apim_metrics-*.log`): such a file is read only when
   * the checkpoint knows it, or it was written after the checkpoint (rotated while stopped),
   * or it is a followed file renamed by rotation. Older siblings are history and left alone.
   */
  readonly siblingPatterns?: readonly string[];
  /** This reader's saved files from the checkpoint: `dev:ino` → offset and fingerprint. */
  readonly saved?: ReadonlyMap<string, SavedFile>;
  /** The checkpoint's horizon for this reader (epoch ms; see CheckpointData). */
  readonly horizon?: number;
  /** Receives lines in file order; the tailer does not read on until it resolves (backpressure). */
  readonly onChunk: (chunk: LineChunk) => Promise<void>;
  readonly onEvent?: (event: TailerEvent) => void;
  readonly logger: Logger;
  /** Opens a file for reading (`fs.promises.open` unless a test substitutes it). */
  readonly openFile?: (path: string) => Promise<FileHandle>;
}

export type TailerEvent =
  | { readonly kind: 'files'; readonly open: number }
  | {
      readonly kind: 'tracked';
      readonly id: string;
      readonly path: string;
      readonly fingerprint: Fingerprint;
      /** Where reading starts; undefined while the file is held as a possible copy. */
      readonly offset: number | undefined;
    }
  | { readonly kind: 'scanned'; readonly startedAt: number }
  | { readonly kind: 'rotated'; readonly path: string }
  | { readonly kind: 'truncated'; readonly path: string };

/** A snapshot of one open file, for lag metrics. */
export interface FileState {
  readonly path: string;
  readonly offset: number;
  readonly size: number;
  readonly behindSince: number | undefined;
}

/** A new file whose first bytes equal a followed file's: a copytruncate copy, or a twin. */
interface Held {
  readonly of: string;
  readonly since: number;
}

/** How many released files are remembered (rotations seen again under another name). */
const RELEASED_MEMORY = 256;

/**
 * Follows files matching glob patterns. Identity is `dev:ino` plus a fingerprint of the first
 * bytes, so a renamed file is recognised and drained to its end before it is let go, a new file
 * at the old name is read from its start, truncation (copytruncate) restarts at 0, and a
 * reused inode is not mistaken for the old file. See DESIGN.md.
 */
export class Tailer {
  readonly #o: TailerOptions;
  readonly #files = new Map<string, TrackedFile>();
  readonly #held = new Map<string, Held>();
  readonly #claimed = new Set<string>();
  /** Pre-truncation identities of recently truncated files, for copies discovered late. */
  readonly #truncated: { fingerprint: Fingerprint; offset: number; at: number }[] = [];
  readonly #errors = new Map<string, string>();
  /**
   * Files read to their end and let go, by `dev:ino`: a rename that races a scan can hide a
   * rotated file for one scan; when it shows up again under its new name it resumes here.
   */
  readonly #released = new Map<string, { offset: number; fingerprint: Fingerprint }>();
  /** Rotated siblings judged to be history: never read. */
  readonly #history = new Set<string>();
  readonly #buffer: Buffer;
  readonly #watchers = new Map<string, FSWatcher>();
  readonly #abort = new AbortController();
  readonly #firstRun: boolean;
  #wake: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #firstScan = true;

  constructor(options: TailerOptions) {
    this.#o = options;
    this.#buffer = Buffer.allocUnsafe(options.readChunkBytes ?? 256 * 1024);
    this.#firstRun = (options.saved?.size ?? 0) === 0;
  }

  get openFiles(): number {
    return this.#files.size;
  }

  /** Files that cannot be opened or read, with the reason (for readiness). */
  get errors(): ReadonlyMap<string, string> {
    return this.#errors;
  }

  states(): FileState[] {
    return [...this.#files.values()].map((f) => ({
      path: f.path,
      offset: f.offset,
      size: f.size,
      behindSince: f.behindSince,
    }));
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
        this.#o.logger.error({ err, code: 'GAX_ERR_INPUT_READ' }, 'Reading input files failed; retrying.');
      }
      if (signal.aborted) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.#o.pollIntervalMs);
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
    const startedAt = Date.now();
    const primary = await glob([...this.#o.patterns], { absolute: true, onlyFiles: true, dot: true });
    const siblings =
      (this.#o.siblingPatterns?.length ?? 0) === 0
        ? []
        : await glob([...(this.#o.siblingPatterns ?? [])], { absolute: true, onlyFiles: true, dot: true });
    this.#watchDirectories();
    const isPrimary = new Set(primary);
    const seen = new Set<string>();
    for (const path of [...new Set([...primary, ...siblings])].sort()) {
      const info = await stat(path).catch(() => undefined);
      if (info === undefined) continue;
      const id = `${info.dev}:${info.ino}`;
      seen.add(id);
      const known = this.#files.get(id);
      if (known !== undefined) {
        if (known.path !== path && !known.detached) this.#o.onEvent?.({ kind: 'rotated', path: known.path });
        known.path = path;
        known.detached = false;
        continue;
      }
      if (!isPrimary.has(path) && !this.#admitSibling(id, info.mtimeMs)) continue;
      await this.#track(id, path, info.size);
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

  /**
   * A rotated sibling not followed yet: at start-up it is read only if it may hold lines not
   * yet delivered (the checkpoint knows it, or it changed after the checkpoint); one that
   * appears while running is a fresh rotation (a copytruncate copy) and is read.
   */
  #admitSibling(id: string, mtimeMs: number): boolean {
    if (this.#history.has(id)) return false;
    if (!this.#firstScan || this.#o.saved?.has(id) === true) return true;
    const horizon = this.#o.horizon;
    if (horizon !== undefined && mtimeMs > horizon) return true;
    this.#history.add(id);
    return false;
  }

  async #track(id: string, path: string, size: number): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await (this.#o.openFile ?? ((p: string) => open(p, 'r')))(path);
      this.#errors.delete(path);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? String(err);
      if (this.#errors.get(path) !== reason) {
        this.#o.logger.error({ path, reason, code: 'GAX_ERR_INPUT_READ' }, 'Cannot open input file.');
      }
      this.#errors.set(path, reason);
      return;
    }
    const fingerprint = await fingerprintOf(handle, size);
    const start = await this.#startOffset(id, handle, size, fingerprint);
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
    if (start.held !== undefined) this.#held.set(id, start.held);
    const offset = start.held === undefined ? start.offset : undefined;
    this.#o.onEvent?.({ kind: 'tracked', id, path, fingerprint, offset });
    this.#o.logger.info({ path, offset: start.offset, how: start.how }, 'Following input file.');
  }

  /** Where to start reading a file seen for the first time in this process. */
  async #startOffset(
    id: string,
    handle: TrackedFile['handle'],
    size: number,
    fingerprint: Fingerprint,
  ): Promise<{ offset: number; how: string; held?: Held }> {
    const saved = this.#o.saved;
    const own = saved?.get(id);
    if (
      own !== undefined &&
      !this.#claimed.has(id) &&
      (own.fingerprint === undefined || (await stillMatches(handle, size, own.fingerprint)))
    ) {
      this.#claimed.add(id);
      return own.offset <= size
        ? { offset: own.offset, how: 'checkpoint' }
        : { offset: 0, how: 'checkpoint, truncated' };
    }
    const released = this.#released.get(id);
    if (released !== undefined && (await stillMatches(handle, size, released.fingerprint))) {
      this.#released.delete(id);
      return { offset: Math.min(released.offset, size), how: 'seen again after rotation' };
    }
    if (isFull(fingerprint) && saved !== undefined) {
      const matches = [...saved].filter(
        ([sid, s]) => !this.#claimed.has(sid) && sameFingerprint(s.fingerprint, fingerprint),
      );
      if (matches.length === 1) {
        const [sid, s] = matches[0] as [string, SavedFile];
        this.#claimed.add(sid);
        return { offset: Math.min(s.offset, size), how: 'checkpoint, moved or copied' };
      }
    }
    const copyOf = isFull(fingerprint) ? this.#copySource(fingerprint) : undefined;
    if (copyOf !== undefined) {
      return {
        offset: copyOf.offset,
        how: 'copy of a truncated file',
        ...(copyOf.held === undefined ? {} : { held: copyOf.held }),
      };
    }
    if (this.#firstScan && this.#firstRun && this.#o.from === 'end')
      return { offset: size, how: 'end (first run)' };
    return { offset: 0, how: 'beginning' };
  }

  /** A new file with a followed file's first bytes: a copy if that file gets truncated. */
  #copySource(fingerprint: Fingerprint): { offset: number; held?: Held } | undefined {
    const recent = this.#truncated.find((t) => sameFingerprint(t.fingerprint, fingerprint));
    if (recent !== undefined) return { offset: recent.offset };
    for (const file of this.#files.values()) {
      if (!sameFingerprint(file.fingerprint, fingerprint)) continue;
      return { offset: 0, held: { of: file.id, since: Date.now() } };
    }
    return undefined;
  }

  async #readAll(signal: AbortSignal): Promise<void> {
    const now = Date.now();
    while (this.#truncated.length > 0 && now - (this.#truncated[0]?.at ?? now) > 60_000)
      this.#truncated.shift();
    for (const file of [...this.#files.values()]) {
      if (signal.aborted) return;
      if (!this.#readable(file, now)) continue;
      const before = { fingerprint: file.fingerprint, offset: file.offset };
      if ((await file.refresh()) === 'truncated') {
        this.#truncated.push({ ...before, at: now });
        this.#resolveCopies(file.id, before.offset);
        this.#o.onEvent?.({ kind: 'truncated', path: file.path });
        this.#o.logger.warn(
          { path: file.path, offset: before.offset },
          'Input file truncated; reading from its start.',
        );
      }
      await file.drain(this.#buffer, signal, this.#o.onChunk);
      if (signal.aborted) return;
      const quiet = Date.now() - file.lastGrowthAt >= this.#o.partialLineTimeoutMs;
      if (file.detached || quiet) await file.flushPartial(this.#o.onChunk);
      if (file.detached) await this.#release(file);
    }
  }

  /** Whether a held file may be read now; a twin held past the copy window is read from 0. */
  #readable(file: TrackedFile, now: number): boolean {
    const held = this.#held.get(file.id);
    if (held === undefined) return true;
    if (now - held.since < Math.max(2_000, 5 * this.#o.pollIntervalMs)) return false;
    this.#held.delete(file.id);
    this.#o.onEvent?.({
      kind: 'tracked',
      id: file.id,
      path: file.path,
      fingerprint: file.fingerprint,
      offset: file.offset,
    });
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
    this.#released.set(file.id, { offset: file.offset, fingerprint: file.fingerprint });
    if (this.#released.size > RELEASED_MEMORY)
      this.#released.delete(this.#released.keys().next().value as string);
    await file.handle.close();
    this.#o.logger.info(
      { path: file.path, offset: file.offset },
      'Input file rotated away and read to its end; released.',
    );
    this.#o.onEvent?.({ kind: 'files', open: this.#files.size });
  }

  /** Directory watches only wake the poll loop early; polling stays the source of truth. */
  #watchDirectories(): void {
    for (const pattern of this.#o.patterns) {
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
