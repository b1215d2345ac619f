import type { InputPosition, InputPositions, Plugin } from '../plugin/contract.js';
import type { CanonicalEvent } from '../schema/event.js';
import type { Batch } from './batch.js';
import type { DeadLetterRecord, DeadLetterWriter } from './dead-letter.js';
import { keep } from './keep.js';
import { type Clock, deliver, type RetryPolicy } from './retry.js';
import type { PipelineTelemetry } from './telemetry.js';

export interface LaneOptions {
  readonly id: string;
  readonly plugin: Plugin;
  /** Batches in delivery at once (default 1); they may finish out of order. */
  readonly maxInFlight?: number;
  readonly policy: RetryPolicy;
  readonly deadLetter: DeadLetterWriter;
  readonly telemetry: PipelineTelemetry;
  readonly clock?: Clock;
  /** Called after every event of `seq` is delivered or durably dead-lettered. */
  readonly onDone: (lane: string, seq: number) => void;
  /** Called whenever the lane's depth drops (a batch finished, acknowledged or not). */
  readonly onDrained?: () => void;
  /** The path and fingerprint of input file `id`, for the positions `send` is told. */
  readonly fileInfo?: FileInfoOf;
}

/** The path and fingerprint of an input file, by its identity (`dev:ino`). */
export type FileInfoOf = (id: string) => Omit<InputPosition, 'offset'> | undefined;

/** Per-lane counts; `aborted` events were in flight at shutdown and will be read again. */
export interface LaneCounts {
  delivered: number;
  deadLettered: number;
  aborted: number;
}

/**
 * One plugin's queue and workers. Batches start delivery in order, up to `maxInFlight` at once
 * (one by default), and may finish out of order: the pipeline's ack tracker commits positions
 * only over a prefix of finished batches. A batch is acknowledged only when every event in it is
 * delivered or written to the dead-letter file.
 */
export class Lane {
  readonly id: string;
  readonly counts: LaneCounts = { delivered: 0, deadLettered: 0, aborted: 0 };
  readonly #options: LaneOptions;
  readonly #queue: Batch[] = [];
  readonly #abort = new AbortController();
  #wake: (() => void) | undefined;
  #closed = false;
  #inFlight = 0;
  #running: Promise<void> | undefined;
  /** Time the oldest unfinished failure started, for readiness; undefined when healthy. */
  #failingSince: number | undefined;

  constructor(options: LaneOptions) {
    this.id = options.id;
    this.#options = options;
  }

  /** Batches queued or being delivered. */
  get depth(): number {
    return this.#queue.length + this.#inFlight;
  }

  get failingSince(): number | undefined {
    return this.#failingSince;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  enqueue(batch: Batch): void {
    if (this.#closed) throw new Error(`lane ${this.id} is closed`);
    this.#queue.push(batch);
    this.#options.telemetry.queueDepth(this.id, this.depth);
    this.#wake?.();
  }

  /** Stops taking batches, finishes the queue, and gives up (leaving batches unacked) at abort. */
  async close(deadlineMs: number): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    const timer = setTimeout(() => this.#abort.abort(), Math.max(0, deadlineMs - Date.now()));
    try {
      await this.#running;
    } finally {
      clearTimeout(timer);
    }
  }

  async #loop(): Promise<void> {
    const max = Math.max(1, this.#options.maxInFlight ?? 1);
    const running = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    for (;;) {
      if (failure !== undefined) {
        await Promise.all(running);
        throw failure.error;
      }
      const batch = running.size < max ? this.#queue.shift() : undefined;
      if (batch === undefined) {
        if (this.#closed && this.#queue.length === 0 && running.size === 0) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          if (running.size > 0) void Promise.race(running).then(resolve);
        });
        this.#wake = undefined;
        continue;
      }
      if (this.#abort.signal.aborted) {
        this.counts.aborted += batch.events.length;
        continue;
      }
      this.#inFlight++;
      const delivery: Promise<void> = this.#deliver(batch)
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => {
          this.#inFlight--;
          running.delete(delivery);
          this.#options.telemetry.queueDepth(this.id, this.depth);
          this.#options.onDrained?.();
        });
      running.add(delivery);
    }
  }

  async #deliver(batch: Batch): Promise<void> {
    const { plugin, policy, telemetry, deadLetter } = this.#options;
    const started = performance.now();
    const outcomes = await deliver({
      plugin,
      events: batch.events,
      policy,
      signal: this.#abort.signal,
      context: { positions: this.#positions(batch) },
      ...(this.#options.clock === undefined ? {} : { clock: this.#options.clock }),
      hooks: {
        onRetry: (count, reason, delayMs) => {
          this.#failingSince ??= Date.now();
          telemetry.retried(this.id, count, reason, delayMs);
        },
        onSendError: (err) => telemetry.sendError(this.id, err),
      },
    });
    const dead: DeadLetterRecord[] = [];
    let delivered = 0;
    let aborted = 0;
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'delivered') delivered++;
      else if (outcome.status === 'aborted') aborted++;
      else {
        const event = batch.events[i] as CanonicalEvent;
        dead.push({ stage: 'deliver', plugin: this.id, kind: outcome.kind, reason: outcome.reason, event });
      }
    });
    if (dead.length > 0) {
      const stopped = () => this.#abort.signal.aborted;
      const report = (err: unknown) => telemetry.deadLetterBlocked(this.id, err);
      if (!(await keep(deadLetter, dead, { stopped, report }))) {
        // Shut down before they were kept: never acknowledged, so read and sent again.
        this.counts.delivered += delivered;
        this.counts.aborted += dead.length + aborted;
        return;
      }
      for (const record of dead)
        if (record.stage === 'deliver') telemetry.deadLettered(this.id, record.kind, 1, record.reason);
    }
    this.counts.delivered += delivered;
    this.counts.deadLettered += dead.length;
    this.counts.aborted += aborted;
    telemetry.delivered(this.id, delivered);
    telemetry.batchDone(this.id, (performance.now() - started) / 1000);
    if (aborted > 0) return; // never acknowledged: the checkpoint stays before this batch
    this.#failingSince = undefined;
    this.#options.onDone(this.id, batch.seq);
  }

  /** The batch's end positions with each file's path and fingerprint (see SendContext). */
  #positions(batch: Batch): InputPositions {
    const positions = new Map<string, InputPosition>();
    for (const [id, offset] of batch.positions)
      positions.set(id, { ...this.#options.fileInfo?.(id), offset });
    return positions;
  }
}
