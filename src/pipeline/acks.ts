/** Read positions: source id (a file's identity) → byte offset just past the last consumed line. */
export type Positions = ReadonlyMap<string, number>;

interface OpenBatch {
  readonly seq: number;
  readonly positions: Positions;
  readonly waiting: Set<string>;
}

/**
 * Tracks which batches every lane has finished (delivered or dead-lettered every event) and
 * moves the committed positions forward only over a prefix of batches finished by all lanes:
 * the low-water mark across plugins. Lanes may finish out of order.
 */
export class AckTracker {
  readonly #lanes: readonly string[];
  readonly #onCommit: (positions: Positions) => void;
  readonly #open: OpenBatch[] = [];
  readonly #committed = new Map<string, number>();
  #lastSeq = -1;

  constructor(lanes: readonly string[], onCommit: (positions: Positions) => void) {
    this.#lanes = lanes;
    this.#onCommit = onCommit;
  }

  /** Positions every lane has acknowledged. */
  get committed(): Positions {
    return this.#committed;
  }

  /** Batches opened but not yet acknowledged by every lane. */
  get inFlight(): number {
    return this.#open.length;
  }

  /** Registers batch `seq` (strictly increasing); `empty` batches need no lane to finish them. */
  open(seq: number, positions: Positions, empty: boolean): void {
    if (seq <= this.#lastSeq) throw new Error(`batch ${seq} opened after ${this.#lastSeq}`);
    this.#lastSeq = seq;
    this.#open.push({ seq, positions, waiting: new Set(empty ? [] : this.#lanes) });
    this.#advance();
  }

  complete(lane: string, seq: number): void {
    const batch = this.#open.find((b) => b.seq === seq);
    if (batch === undefined || !batch.waiting.delete(lane)) {
      throw new Error(`lane ${lane} completed unknown batch ${seq}`);
    }
    this.#advance();
  }

  #advance(): void {
    let moved = false;
    while (this.#open.length > 0 && (this.#open[0] as OpenBatch).waiting.size === 0) {
      const batch = this.#open.shift() as OpenBatch;
      for (const [source, offset] of batch.positions) this.#committed.set(source, offset);
      moved = true;
    }
    if (moved) this.#onCommit(this.#committed);
  }
}
