import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CanonicalEvent } from '../schema/event.js';
import type { EventResult } from './result.js';

/** What the daemon hands every plugin instance at construction. One object, no positional args. */
export interface PluginSettings {
  /** Instance id, the key under `plugins:` in the config (e.g. `file`). Used as the `plugin` label. */
  readonly id: string;
  readonly logger: Logger;
  /** The registry served on `/metrics`; a plugin may register its own metrics here. */
  readonly registry: Registry;
  /** The daemon's state directory (`state.dir`), for plugins that keep files. */
  readonly stateDir: string;
}

/** A read position in one input file, as the checkpoint keeps it. */
export interface InputPosition {
  /** Byte offset just past the last line covered. */
  readonly offset: number;
  /** Where the file was when read. */
  readonly path?: string;
  /** Its first bytes' identity: a position applies only to the file it was taken in. */
  readonly fingerprint?: { readonly length: number; readonly hash: string };
}

/** Read positions by input file identity (`dev:ino`). */
export type InputPositions = ReadonlyMap<string, InputPosition>;

/** What `send` is told besides the events. */
export interface SendContext {
  /**
   * Where the batch ends in each input file it covers: the positions acknowledging it commits.
   * Every attempt of one batch carries the same positions, and batches reach a plugin in read
   * order. See {@link Plugin.storedPositions}.
   */
  readonly positions: InputPositions;
}

/**
 * A backend the pipeline delivers canonical events to.
 *
 * - The factory's `create` takes validated config and settings and does **no I/O**.
 * - `start` connects (opens files, checks the backend) and may throw to fail start-up loudly.
 *   Background work runs under `signal` and ends when it aborts.
 * - `send(batch)` resolves to exactly one {@link EventResult} per event, in batch order. It
 *   classifies backend failures as `retryable` or `rejected`; it never sleeps or retries itself
 *   (src/pipeline/retry.ts does). It throws only for bugs, never for backend failures.
 * - `stop(deadlineMs)` flushes and releases everything by the epoch-millisecond deadline. It is
 *   idempotent, safe to call before `start`, and nothing of the plugin runs after it resolves.
 */
export interface Plugin {
  /**
   * Batches the pipeline may have in `send` at once (default 1). More than one lets a plugin
   * keep a backend busy across batch boundaries, or hold a batch until a periodic flush; batches
   * may then finish out of order (positions are still committed in order).
   */
  readonly maxInFlight?: number;
  start(signal: AbortSignal): Promise<void>;
  send(
    batch: readonly CanonicalEvent[],
    signal: AbortSignal,
    context?: SendContext,
  ): Promise<readonly EventResult[]>;
  stop(deadlineMs: number): Promise<void>;
  /**
   * Exactly once by the backend's own transactions (the `summaries` plugin): `send` stores the
   * context's positions with the batch's effect in one transaction (all of the batch or none of
   * it; a resend it finds already stored is delivered without applying it again), and this
   * returns what is stored. Called once after `start`; the daemon resumes the instance's reading
   * from these positions wherever they are ahead of its checkpoint (a crash between the backend's
   * commit and the checkpoint's write), so a committed batch is never applied twice.
   */
  storedPositions?(): Promise<InputPositions>;
}
