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
  send(batch: readonly CanonicalEvent[], signal: AbortSignal): Promise<readonly EventResult[]>;
  stop(deadlineMs: number): Promise<void>;
}
