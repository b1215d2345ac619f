/**
 * The batches an aggregating plugin holds until one export carries them (the Datadog and OTLP
 * plugins: `send` resolves only when the export with its events succeeded or failed). An export
 * runs every interval, as soon as `max` batches wait (the plugin's `maxInFlight`: reading never
 * waits long), or when the plugin asks (shutdown). One export runs at a time; one asked for
 * meanwhile runs right after it, with what waits by then.
 */
export class HeldBatches<W> {
  readonly #max: number;
  readonly #export: (waiting: readonly W[]) => Promise<void>;
  #waiting: W[] = [];
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** `exportWaiting` settles every item it is given (resolves or rejects its `send`). */
  constructor(max: number, exportWaiting: (waiting: readonly W[]) => Promise<void>) {
    this.#max = max;
    this.#export = exportWaiting;
  }

  /** Whether batches wait or an export runs. */
  get busy(): boolean {
    return this.#waiting.length > 0 || this.#running !== undefined;
  }

  /** Holds one batch; exports at once when `max` wait. */
  hold(item: W): void {
    this.#waiting.push(item);
    if (this.#waiting.length >= this.#max) void this.flush();
  }

  /** Exports what waits, after the export in progress (if any). */
  async flush(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
    if (this.#waiting.length === 0) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    await this.exclusive(() => this.#export(waiting));
  }

  /** Runs `work` as the one export in progress (e.g. an idle re-send of totals). */
  async exclusive(work: () => Promise<void>): Promise<void> {
    while (this.#running !== undefined) await this.#running;
    const running = work().finally(() => {
      this.#running = undefined;
    });
    this.#running = running;
    await running;
  }

  /** Calls `tick` (by default {@link flush}) every `ms` until {@link stopTimer}. */
  every(ms: number, tick: () => Promise<void> = () => this.flush()): void {
    this.#timer ??= setInterval(() => void tick(), ms);
  }

  stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
