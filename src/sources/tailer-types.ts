import type { FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { SavedFile } from './checkpoint.js';
import type { Fingerprint } from './fingerprint.js';
import type { LineChunk } from './tracked-file.js';

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
  /** Instead of the horizon: whether a sibling not in `saved` is history (see StartPositionOptions). */
  readonly history?: (id: string) => boolean;
  /** Receives lines in file order; the tailer does not read on until it resolves (backpressure). */
  readonly onChunk: (chunk: LineChunk) => Promise<void>;
  readonly onEvent?: (event: TailerEvent) => void;
  readonly logger: Logger;
  /** Opens a file for reading (`fs.promises.open` unless a test substitutes it). */
  readonly openFile?: (path: string) => Promise<FileHandle>;
  /**
   * Undefined while reading may go on; else a promise that settles when it may (the checkpoint
   * cannot be written: reading pauses so that a crash cannot re-deliver an unbounded backlog).
   */
  readonly gate?: () => Promise<void> | undefined;
  /**
   * The offset a file may be read up to (default: its end). A catch-up reader reads no further
   * than the shared reader it is to rejoin (see DESIGN.md, "One reader per input"): a file at
   * its limit is let go (after rotation) only once read to its end.
   */
  readonly limit?: (file: { readonly id: string; readonly detached: boolean }) => number;
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
  /** A followed file `id` is now at `path` (renamed by rotation; its offsets stay). */
  | { readonly kind: 'renamed'; readonly id: string; readonly path: string }
  /** The filesystem failed a read or open (`code`: `ESTALE`, `EIO`, …); the file keeps its offset. */
  | { readonly kind: 'readError'; readonly path: string; readonly code: string }
  | { readonly kind: 'truncated'; readonly id: string; readonly path: string }
  /** `id` was read to its end after rotation and let go. */
  | { readonly kind: 'released'; readonly id: string }
  /** One pass over the files ended (every file read up to its end or limit). */
  | { readonly kind: 'idle' };

/** A snapshot of one open file, for lag metrics. */
export interface FileState {
  /** `dev:ino` */
  readonly id: string;
  readonly path: string;
  readonly offset: number;
  readonly size: number;
  readonly behindSince: number | undefined;
}

/** A new file whose first bytes equal a followed file's (`of`): a copytruncate copy, or a twin. */
export type Held = { readonly of: string; readonly since: number };
