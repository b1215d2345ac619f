import type { Plugin } from '../plugin/contract.js';
import type { CanonicalEvent } from '../schema/event.js';
import { AckTracker, type Positions } from './acks.js';
import type { Batch } from './batch.js';
import type { DeadLetterWriter } from './dead-letter.js';
import { type FileInfoOf, Lane, type LaneCounts } from './lane.js';
import type { Clock, RetryPolicy } from './retry.js';
import type { PipelineTelemetry } from './telemetry.js';

export interface PipelineOptions {
  readonly plugins: readonly { readonly id: string; readonly plugin: Plugin }[];
  /** Soft limit: a batch is sealed once it holds at least this many events. */
  readonly batchMaxEvents: number;
  readonly batchMaxWaitMs: number;
  /** Per lane: batches queued or in delivery before `accept` waits (backpressure). */
  readonly queueMaxBatches: number;
  readonly retry: RetryPolicy;
  readonly deadLetter: DeadLetterWriter;
  readonly telemetry: PipelineTelemetry;
  readonly clock?: Clock;
  /** Called with the committed positions each time they move (the checkpoint to persist). */
  readonly onCommit?: (positions: Positions) => void;
  /** What the lanes tell plugins of each input file besides its offset (see SendContext). */
  readonly fileInfo?: FileInfoOf;
}

/**
 * Batches events and fans each batch out to every plugin's lane. `accept` resolves when the
 * events are queued; it waits while any lane is full, which pauses the reader: the log file
 * is the buffer, nothing is dropped. Positions are committed only once every lane has
 * acknowledged every batch before them.
 */
export class Pipeline {
  readonly #options: PipelineOptions;
  readonly #lanes: Lane[];
  readonly #acks: AckTracker;
  #events: CanonicalEvent[] = [];
  #positions = new Map<string, number>();
  #hasPositions = false;
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #capacityWaiters: (() => void)[] = [];
  #closed = false;
  /** Set by {@link stopAccepting}: a full queue no longer holds `accept` (shutdown). */
  #stopping = false;

  constructor(options: PipelineOptions) {
    this.#options = options;
    this.#acks = new AckTracker(
      options.plugins.map((p) => p.id),
      (positions) => options.onCommit?.(positions),
    );
    this.#lanes = options.plugins.map(
      ({ id, plugin }) =>
        new Lane({
          id,
          plugin,
          ...(plugin.maxInFlight === undefined ? {} : { maxInFlight: plugin.maxInFlight }),
          policy: options.retry,
          deadLetter: options.deadLetter,
          telemetry: options.telemetry,
          ...(options.clock === undefined ? {} : { clock: options.clock }),
          onDone: (lane, seq) => this.#acks.complete(lane, seq),
          onDrained: () => this.#releaseCapacity(),
          ...(options.fileInfo === undefined ? {} : { fileInfo: options.fileInfo }),
        }),
    );
  }

  /** Some lane's queue is full: `accept` of a full batch waits (the backend is behind). */
  get full(): boolean {
    return this.#full();
  }

  get committed(): Positions {
    return this.#acks.committed;
  }

  get lanes(): readonly Pick<Lane, 'id' | 'depth' | 'failingSince' | 'counts'>[] {
    return this.#lanes;
  }

  counts(): Record<string, LaneCounts> {
    return Object.fromEntries(this.#lanes.map((lane) => [lane.id, { ...lane.counts }]));
  }

  start(): void {
    for (const lane of this.#lanes) lane.start();
  }

  /**
   * Adds a contiguous run of read lines from `sourceId` ending at byte `endOffset`: the events
   * they produced (possibly none) in order.
   */
  async accept(events: readonly CanonicalEvent[], sourceId: string, endOffset: number): Promise<void> {
    if (this.#closed) throw new Error('pipeline is closed');
    for (const event of events) this.#events.push(event);
    this.#positions.set(sourceId, endOffset);
    this.#hasPositions = true;
    if (this.#events.length >= this.#options.batchMaxEvents) {
      await this.#waitForCapacity();
      if (!this.#closed && !this.#stopping) this.#seal();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.#waitForCapacity().then(() => {
        if (!this.#closed && !this.#stopping) this.#seal();
      });
    }, this.#options.batchMaxWaitMs);
  }

  /** Seals what is buffered now (used before a graceful stop). */
  flush(): void {
    this.#seal();
  }

  /** Delivers what is queued until the deadline; what is not acknowledged by then is re-read later. */
  /**
   * Shutdown, first step: an `accept` waiting for queue space returns at once (its events stay
   * unsealed until {@link close}), so a reader blocked by a full queue (a backend down) can stop.
   * Without it, stopping during an outage would wait for capacity that only `close` releases.
   */
  stopAccepting(): void {
    this.#stopping = true;
    const waiters = this.#capacityWaiters;
    this.#capacityWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async close(deadlineMs: number): Promise<void> {
    this.#seal();
    this.#closed = true;
    await Promise.all(this.#lanes.map((lane) => lane.close(deadlineMs)));
    this.#releaseCapacity();
  }

  #seal(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (!this.#hasPositions) return;
    const batch: Batch = {
      seq: this.#seq++,
      events: this.#events,
      positions: this.#positions,
      sealedAt: Date.now(),
    };
    this.#events = [];
    this.#positions = new Map();
    this.#hasPositions = false;
    const empty = batch.events.length === 0;
    this.#acks.open(batch.seq, batch.positions, empty);
    if (empty) return;
    for (const lane of this.#lanes) lane.enqueue(batch);
  }

  #full(): boolean {
    return this.#lanes.some((lane) => lane.depth >= this.#options.queueMaxBatches);
  }

  async #waitForCapacity(): Promise<void> {
    while (this.#full() && !this.#closed && !this.#stopping) {
      await new Promise<void>((resolve) => this.#capacityWaiters.push(resolve));
    }
  }

  #releaseCapacity(): void {
    if (this.#full() && !this.#closed) return;
    const waiters = this.#capacityWaiters;
    this.#capacityWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
