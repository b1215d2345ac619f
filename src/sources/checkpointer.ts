import type { Logger } from 'pino';
import type { ErrorCode } from '../errors.js';
import { LogRateLimiter } from '../telemetry/rate-limit.js';
import {
  type FileInfo,
  loadCheckpoint,
  type PluginPositions,
  saveCheckpoint,
  storedFile,
} from './checkpoint.js';
import { Gate } from './gate.js';

export interface CheckpointerOptions {
  readonly path: string;
  readonly logger: Logger;
  /**
   * Longest a written position stays in the page cache only (default 1000 ms): every commit is
   * written at once by an atomic replace, and an fsynced write (file and directory) follows
   * within this interval. Also the first back-off of a failing write.
   */
  readonly intervalMs?: number;
}

/** Entries kept per plugin; the least recently moved are dropped first (long-gone rotated files). */
const MAX_FILES_PER_PLUGIN = 1000;
/** Least time from one write's start to the next's: commits coalesce, ≤ 40 writes a second. */
const MIN_GAP_MS = 25;
/** Longest wait between attempts to write a checkpoint that keeps failing (full disk). */
const MAX_RETRY_MS = 5000;

/**
 * Persists every plugin's committed positions. Positions merge: a file keeps its saved offset
 * until its plugin commits past it; a file a reader starts following is saved at once.
 *
 * Every change is written at once: one write at a time, at least 25 ms apart, and the changes
 * made meanwhile go into the next. A write is an atomic replace in the page cache, which
 * survives SIGKILL: a killed daemon re-sends at most the batches in flight plus what was
 * committed in the last ~25 ms and the write under way. An fsync of the file and its directory,
 * which only a power cut needs, follows within `intervalMs` (default 1 s), and on close.
 *
 * A write that fails (the state directory's disk full, `ENOSPC`) leaves the last good
 * checkpoint in place (the write goes to a temporary file first), is tried again with a
 * back-off (interval doubling up to 5 s) whether or not positions move, and shuts the gate
 * (`writable`) that readers wait on: reading pauses until a write succeeds, so a crash in the
 * meantime re-delivers at most what was read before the first failure.
 */
export class Checkpointer {
  readonly #options: CheckpointerOptions;
  readonly #interval: number;
  readonly #files = new Map<string, FileInfo>();
  readonly #plugins = new Map<string, Map<string, number>>();
  #lastWrite: number | undefined;
  /** When the last fsynced write began; positions written since then are in the page cache only. */
  #lastDurable = 0;
  /** A write without fsync happened since the last durable one. */
  #unsynced = false;
  readonly #horizons = new Map<string, number>();
  #dirty = false;
  /** A write is running; changes meanwhile go into the next one. */
  #busy = false;
  /** When the last write began (the gap's reference). */
  #lastStart = 0;
  #soon: NodeJS.Timeout | undefined;
  /** The retry of a failing write (back-off), or the fsynced write that follows unsynced ones. */
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  /** Writes failed in a row, and the gate readers wait on meanwhile. */
  #failures = 0;
  #failingSince: number | undefined;
  #gate: Gate | undefined;
  #closed = false;
  readonly #limiter = new LogRateLimiter();
  /** Checkpoint writes done: all of them, and those fsynced (file and directory). */
  readonly writes = { all: 0, durable: 0 };

  constructor(options: CheckpointerOptions) {
    this.#options = options;
    this.#interval = options.intervalMs ?? 1000;
  }

  /** Loads saved positions per plugin; a corrupt file is kept aside and reported (reading starts at `from`). */
  async load(): Promise<ReadonlyMap<string, PluginPositions>> {
    const loaded = await loadCheckpoint(this.#options.path);
    switch (loaded.status) {
      case 'missing':
        return new Map();
      case 'ok':
        for (const [plugin, saved] of loaded.plugins) {
          this.#plugins.set(plugin, new Map([...saved].map(([id, f]) => [id, f.offset])));
          for (const [id, { path = '', fingerprint }] of saved)
            if (!this.#files.has(id)) this.#files.set(id, fingerprint ? { path, fingerprint } : { path });
        }
        for (const [plugin, horizon] of loaded.horizons) this.#horizons.set(plugin, horizon);
        return loaded.plugins;
      case 'corrupt':
        this.#options.logger.error(
          { path: this.#options.path, keptAs: loaded.keptAs, error: loaded.error },
          'Checkpoint file is corrupt; kept aside, starting from the configured position.',
        );
        return new Map();
    }
  }

  /**
   * `plugin`'s positions as they stand now, in the form `load` returns: what a reader started
   * again while the process runs (a config reload) resumes from, as it would after a restart.
   */
  saved(plugin: string): PluginPositions {
    const positions = this.#plugins.get(plugin) ?? new Map<string, number>();
    return new Map([...positions].map(([id, offset]) => [id, storedFile(offset, this.#files.get(id))]));
  }

  /** The horizon loaded for `plugin` (see CheckpointData), if any. */
  horizon(plugin: string): number | undefined {
    return this.#horizons.get(plugin);
  }

  /** `plugin`'s readers completed a first scan begun at `startedAt`: the horizon moves there. */
  setHorizon(plugin: string, startedAt: number): void {
    if ((this.#horizons.get(plugin) ?? 0) >= startedAt) return;
    this.#horizons.set(plugin, startedAt);
    this.#schedule();
  }

  /** Seconds since the checkpoint was last written, or undefined before the first write. */
  get ageSeconds(): number | undefined {
    return this.#lastWrite === undefined ? undefined : (Date.now() - this.#lastWrite) / 1000;
  }

  /** Undefined while checkpoints are written; else a promise that settles once one is again. */
  writable(): Promise<void> | undefined {
    return this.#gate?.promise;
  }

  /** When the current run of failed checkpoint writes began (undefined while writes work). */
  get failingSince(): number | undefined {
    return this.#failingSince;
  }

  /** Checkpoint writes that failed in a row (0 after one worked). */
  get writeFailures(): number {
    return this.#failures;
  }

  /** What is known of file `id` (its path and fingerprint), if anything. */
  fileInfo(id: string): FileInfo | undefined {
    return this.#files.get(id);
  }

  /** Records a file's path (saved at once if it changed) and fingerprint (kept if not given). */
  noteFile(id: string, info: FileInfo): void {
    const old = this.#files.get(id);
    const fingerprint = info.fingerprint ?? old?.fingerprint;
    this.#files.set(id, fingerprint === undefined ? info : { path: info.path, fingerprint });
    if (old !== undefined && old.path !== info.path) this.#schedule();
  }

  /**
   * A reader started following `id` at `offset`: saved unless the plugin has a position at or before
   * it. One beyond is stale: the inode holds another file (reused, or truncated while stopped), read
   * from 0, and resuming from the old offset after a stop before the first commit would skip bytes.
   */
  noteStart(plugin: string, id: string, offset: number): void {
    const positions = this.#positionsOf(plugin);
    if ((positions.get(id) ?? Number.POSITIVE_INFINITY) <= offset) return;
    positions.set(id, offset);
    this.#schedule();
  }

  /** Committed positions moved: merged over what is saved. */
  update(plugin: string, committed: ReadonlyMap<string, number>): void {
    const positions = this.#positionsOf(plugin);
    for (const [id, offset] of committed) {
      if (positions.get(id) === offset) continue;
      positions.delete(id); // re-insert: the most recently moved stay when the cap bites
      positions.set(id, offset);
    }
    while (positions.size > MAX_FILES_PER_PLUGIN) positions.delete(positions.keys().next().value as string);
    this.#schedule();
  }

  #positionsOf(plugin: string): Map<string, number> {
    const positions = this.#plugins.get(plugin) ?? new Map<string, number>();
    return this.#plugins.set(plugin, positions) && positions;
  }

  /** Something changed: written at once (coalesced with what else changes in this turn), unless a write is running or failing. */
  #schedule(): void {
    this.#dirty = true;
    if (this.#busy || this.#soon !== undefined || this.#failures > 0) return;
    this.#soon = setTimeout(
      () => {
        this.#soon = undefined;
        this.#flush();
      },
      Math.max(0, this.#lastStart + MIN_GAP_MS - Date.now()),
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#soon);
    this.#timer = undefined;
    this.#soon = undefined;
    await this.#writing;
    if (this.#unsynced) this.#dirty = true; // the last positions go to disk durably
    this.#flush();
    await this.#writing;
  }

  #flush(): void {
    if (!this.#dirty || this.#busy) return;
    this.#dirty = false;
    this.#busy = true;
    const started = Date.now();
    this.#lastStart = started;
    const durable = this.#closed || started - this.#lastDurable >= this.#interval;
    const plugins = new Map([...this.#plugins].map(([plugin, positions]) => [plugin, new Map(positions)]));
    const files = new Map(this.#files);
    const horizons = new Map(this.#horizons);
    this.#writing = this.#writing
      .then(() => saveCheckpoint(this.#options.path, plugins, files, horizons, durable))
      .then(() => {
        if (durable) this.#lastDurable = started;
        this.#unsynced = !durable;
        this.writes.all++;
        if (durable) this.writes.durable++;
        this.#written();
      })
      .catch((err: unknown) => this.#failed(err))
      .finally(() => {
        this.#busy = false;
        this.#next();
      });
  }

  /** After a write: the changes made meanwhile, else the fsynced write unsynced ones are owed. */
  #next(): void {
    if (this.#closed) return;
    if (this.#dirty && this.#failures === 0) {
      this.#dirty = false; // #schedule sets it again and waits out the gap
      this.#schedule();
      return;
    }
    if (!this.#unsynced || this.#timer !== undefined) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        if (this.#unsynced) this.#dirty = true;
        this.#flush();
      },
      Math.max(0, this.#lastDurable + this.#interval - Date.now()),
    );
  }

  #written(): void {
    this.#lastWrite = Date.now();
    if (this.#failures > 0) {
      this.#options.logger.warn(
        { path: this.#options.path, failures: this.#failures },
        'Checkpoint written again; reading resumes.',
      );
    }
    this.#failures = 0;
    this.#failingSince = undefined;
    this.#gate?.open();
    this.#gate = undefined;
  }

  /** Keeps the last good checkpoint, pauses readers, and tries again after a back-off. */
  #failed(err: unknown): void {
    this.#dirty = true;
    this.#failures++;
    this.#failingSince ??= Date.now();
    this.#gate ??= new Gate();
    const retryInMs = Math.min(this.#interval * 2 ** Math.min(this.#failures - 1, 10), MAX_RETRY_MS);
    if (!this.#closed && this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#flush();
      }, retryInMs);
    }
    const suppressed = this.#limiter.allow('write');
    if (suppressed === undefined) return;
    this.#options.logger.error(
      {
        err,
        path: this.#options.path,
        failures: this.#failures,
        retryInMs,
        suppressed,
        code: 'GAX_ERR_CHECKPOINT_WRITE' satisfies ErrorCode,
      },
      'Cannot write the checkpoint; the last one written stays, reading pauses until a write succeeds.',
    );
  }
}
