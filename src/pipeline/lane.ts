import type { Plugin } from '../plugin/contract.js';
import type { CanonicalEvent } from '../schema/event.js';
import type { Batch } from './batch.js';
import type { DeadLetterRecord, DeadLetterWriter } from './dead-letter.js';
import { type Clock, deliver, type RetryPolicy } from './retry.js';
import type { PipelineTelemetry } from './telemetry.js';

export interface LaneOptions {
  readonly id: string;
  readonly plugin: Plugin;
  readonly policy: RetryPolicy;
  readonly deadLetter: DeadLetterWriter;
  readonly telemetry: PipelineTelemetry;
  readonly clock?: Clock;
  /** Called after every event of `seq` is delivered or durably dead-lettered. */
  readonly onDone: (lane: string, seq: number) => void;
  /** Called whenever the lane's depth drops (a batch finished, acknowledged or not). */
  readonly onDrained?: () => void;
}

/** Per-lane counts; `aborted` events were in flight at shutdown and will be read again. */
export interface LaneCounts {
  delivered: number;
  deadLettered: number;
  aborted: number;
}

/**
 * One plugin's queue and worker. Batches are delivered one at a time in order; a batch is
 * acknowledged only when every event in it is delivered or written to the dead-letter file.
 */
export class Lane {
  readonly id: string;
  readonly counts: LaneCounts = { delivered: 0, deadLettered: 0, aborted: 0 };
  readonly #options: LaneOptions;
  readonly #queue: Batch[] = [];
  readonly #abort = new AbortController();
  #wake: (() => void) | undefined;
  #closed = false;
  #busy = false;
  #running: Promise<void> | undefined;
  /** Time the oldest unfinished failure started, for readiness; undefined when healthy. */
  #failingSince: number | undefined;

  constructor(options: LaneOptions) {
    this.id = options.id;
    this.#options = options;
  }

  /** Batches queued or being delivered. */
  get depth(): number {
    return this.#queue.length + (this.#busy ? 1 : 0);
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
    for (;;) {
      const batch = this.#queue.shift();
      if (batch === undefined) {
        if (this.#closed) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
        continue;
      }
      if (this.#abort.signal.aborted) {
        this.counts.aborted += batch.events.length;
        continue;
      }
      this.#busy = true;
      try {
        await this.#deliver(batch);
      } finally {
        this.#busy = false;
        this.#options.telemetry.queueDepth(this.id, this.depth);
        this.#options.onDrained?.();
      }
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
      await deadLetter.write(dead);
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
}
