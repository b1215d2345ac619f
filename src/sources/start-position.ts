import type { FileHandle } from 'node:fs/promises';
import type { SavedFile } from './checkpoint.js';
import { type Fingerprint, isFull, sameFingerprint, stillMatches } from './fingerprint.js';

/** How many released files are remembered (rotations seen again under another name). */
const RELEASED_MEMORY = 256;
/** How long the identity of a truncated file is remembered, for a copy discovered late. */
const TRUNCATED_MEMORY_MS = 60_000;
/**
 * How far a file's modification time may lag the clock that set the horizon: kernels stamp
 * files from a coarse clock (up to a tick behind), file servers from their own clock.
 */
const MTIME_SLACK_MS = 1_000;

export interface StartPositionOptions {
  /** This reader's saved files from the checkpoint: `dev:ino` → offset and fingerprint. */
  readonly saved?: ReadonlyMap<string, SavedFile>;
  /** The checkpoint's horizon for this reader (epoch ms; see CheckpointData). */
  readonly horizon?: number;
  /**
   * For a reader started from another reader's positions (a catch-up reader let go by the shared
   * reader): whether that reader passed `id` over. A sibling the positions do not name is history
   * exactly then; any other is read from its start, whatever its time (it may have been written
   * in full, and rotated, after that reader's last scan). Replaces the horizon.
   */
  readonly history?: (id: string) => boolean;
  readonly from: 'beginning' | 'end';
}

/** Where to start a file, and why; `heldBy` names a followed file it may be a copy of. */
export interface StartDecision {
  readonly offset: number;
  readonly how: string;
  readonly heldBy?: string;
}

/**
 * Decides where reading starts in a file seen for the first time in this process, from what
 * the checkpoint saved and what this process has seen: files released after rotation (a rename
 * racing a scan hides a file for one scan), files truncated recently (copytruncate copies), and
 * siblings judged to be history.
 */
export class StartPositions {
  readonly #o: StartPositionOptions;
  readonly #firstRun: boolean;
  readonly #claimed = new Set<string>();
  readonly #history = new Set<string>();
  readonly #released = new Map<string, { offset: number; fingerprint: Fingerprint }>();
  readonly #truncated: { fingerprint: Fingerprint; offset: number; at: number }[] = [];

  constructor(options: StartPositionOptions) {
    this.#o = options;
    this.#firstRun = (options.saved?.size ?? 0) === 0;
  }

  /**
   * A rotated sibling not followed yet: at start-up it is read only if it may hold lines not
   * yet delivered (the checkpoint knows it, or it changed after the horizon); one that appears
   * while running is a fresh rotation (a copytruncate copy) and is read.
   */
  admitSibling(id: string, mtimeMs: number, firstScan: boolean): boolean {
    if (this.#history.has(id)) return false;
    if (!firstScan || this.#o.saved?.has(id) === true) return true;
    const { horizon, history } = this.#o;
    if (history !== undefined ? !history(id) : horizon !== undefined && mtimeMs > horizon - MTIME_SLACK_MS)
      return true;
    this.#history.add(id);
    return false;
  }

  async decide(
    file: { id: string; handle: FileHandle; size: number; fingerprint: Fingerprint },
    followed: Iterable<{ id: string; fingerprint: Fingerprint }>,
    firstScan: boolean,
  ): Promise<StartDecision> {
    const { id, handle, size, fingerprint } = file;
    const saved = this.#o.saved;
    const own = saved?.get(id);
    if (own !== undefined && !this.#claimed.has(id)) {
      if (own.fingerprint === undefined || (await stillMatches(handle, size, own.fingerprint))) {
        this.#claimed.add(id);
        return own.offset <= size
          ? { offset: own.offset, how: 'checkpoint' }
          : { offset: 0, how: 'checkpoint, truncated' };
      }
    }
    const released = this.#released.get(id);
    if (released !== undefined && (await stillMatches(handle, size, released.fingerprint))) {
      this.#released.delete(id);
      return { offset: Math.min(released.offset, size), how: 'seen again after rotation' };
    }
    if (isFull(fingerprint)) {
      const moved = [...(saved ?? [])].filter(
        ([sid, s]) => !this.#claimed.has(sid) && sameFingerprint(s.fingerprint, fingerprint),
      );
      if (moved.length === 1) {
        const [sid, s] = moved[0] as [string, SavedFile];
        this.#claimed.add(sid);
        return { offset: Math.min(s.offset, size), how: 'checkpoint, moved or copied' };
      }
      const recent = this.#truncated.find((t) => sameFingerprint(t.fingerprint, fingerprint));
      if (recent !== undefined) return { offset: recent.offset, how: 'copy of a truncated file' };
      for (const other of followed) {
        if (sameFingerprint(other.fingerprint, fingerprint)) {
          return { offset: 0, how: 'held: a possible copy of a followed file', heldBy: other.id };
        }
      }
    }
    if (firstScan && this.#firstRun && this.#o.from === 'end')
      return { offset: size, how: 'end (first run)' };
    return { offset: 0, how: 'beginning' };
  }

  /** Whether `id` was released after being read to its end, or judged history at start-up. */
  passedOver(id: string): boolean {
    return this.#history.has(id) || this.#released.has(id);
  }

  /** A followed file was truncated after being read up to `offset`. */
  noteTruncated(fingerprint: Fingerprint, offset: number, now: number): void {
    this.#truncated.push({ fingerprint, offset, at: now });
    while (this.#truncated.length > 0 && now - (this.#truncated[0]?.at ?? now) > TRUNCATED_MEMORY_MS) {
      this.#truncated.shift();
    }
  }

  /** A file read to its end and let go. */
  noteReleased(id: string, offset: number, fingerprint: Fingerprint): void {
    this.#released.set(id, { offset, fingerprint });
    if (this.#released.size > RELEASED_MEMORY)
      this.#released.delete(this.#released.keys().next().value as string);
  }
}
