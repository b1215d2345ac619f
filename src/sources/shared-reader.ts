import type { Logger } from 'pino';
import type { DeadLetterWriter } from '../pipeline/dead-letter.js';
import { keep, logKeepFailures } from '../pipeline/keep.js';
import type { PluginPositions } from './checkpoint.js';
import { Followed } from './followed.js';
import type { ParsedChunk } from './ingest.js';
import { type LineChunk, Tailer, type TailerEvent, type TailerOptions } from './tailer.js';
import { UnreadFiles } from './unread-files.js';

export type DetachReason = 'behind' | 'unread';

/** A plugin instance's feed from one input (./input-feed.ts), as the shared reader sees it. */
export interface Subscriber {
  readonly id: string;
  /** Hands a parsed chunk to the instance's pipeline; resolves once accepted (waits while its lane is full). */
  feed(parsed: ParsedChunk): Promise<void>;
  /** Its queue is full now: its backend is behind what was read. */
  behind(): boolean;
  /** The shared reader's tailer events, while attached (the instance's metrics and checkpoint). */
  onEvent(event: TailerEvent): void;
  /**
   * Let go: once `accepted` (its last chunk) settles, it reads on its own from `at`, where that
   * chunk ended. `why`: it fell behind, or it joined without having read a file this reader is
   * about to resume past its start (./unread-files.ts).
   */
  detached(at: PluginPositions, accepted: Promise<void>, why: DetachReason): void;
  /** Joins if its own reader stands where the shared one does (see {@link SharedReader.matches}). */
  tryJoin(): boolean;
  /** Its own reader may read further (the shared reader moved on). */
  wake(): void;
}

export interface SharedReaderOptions {
  /** The input's tailer settings; the shared reader supplies `onChunk`, `onEvent` and nothing else. */
  readonly tailer: Omit<TailerOptions, 'onChunk' | 'onEvent' | 'limit'>;
  readonly parse: (chunk: LineChunk) => ParsedChunk;
  /** Where rejected lines go, before the chunk is handed to anyone (once per input). */
  readonly deadLetter: Pick<DeadLetterWriter, 'write'>;
  /** Every chunk read, before it is parsed (the checkpoint notes the file). */
  readonly onChunkRead?: (chunk: LineChunk) => void;
  /** An instance still not accepting a chunk after this long is let go to read on its own. */
  readonly detachAfterMs: number;
  /**
   * Parsing elsewhere (worker threads): chunks are read ahead while earlier ones are parsed, at
   * most `window` at once, and handed over strictly in the order read; `parse` parses a chunk
   * whose worker failed.
   */
  readonly ahead?: { readonly parse: (chunk: LineChunk) => Promise<ParsedChunk>; readonly window: number };
  readonly logger: Logger;
}

/** What the tailer handed over, in its order: a chunk being parsed, or an event. */
type Step =
  | { readonly chunk: LineChunk; readonly parsed: Promise<ParsedChunk> }
  | { readonly event: TailerEvent };

/**
 * Reads and parses one input once for every plugin instance attached to it, handing each chunk
 * to all of them. An instance whose pipeline does not accept a chunk within `detachAfterMs`
 * (its lane full: backend slow or down) is detached so it holds back no other; it reads on with
 * its own reader from where it stopped, never past where this reader stands (`limit`), and is
 * attached again the moment both stand at the same offsets in the same files: no line missed,
 * none handed over twice. The shared reader reads on even with nobody attached, so a catch-up
 * reader's limit always moves.
 */
export class SharedReader {
  readonly tailer: Tailer;
  readonly #o: SharedReaderOptions;
  readonly #followed = new Followed();
  readonly #attached = new Set<Subscriber>();
  readonly #waiting = new Set<Subscriber>();
  readonly #startedFrom: PluginPositions;
  /** Files a joiner never read that this reader may start past their beginning (./unread-files.ts). */
  readonly #unread: UnreadFiles<Subscriber>;
  /** Since when each attached instance has been found behind at every chunk handed over. */
  readonly #behindSince = new Map<Subscriber, number>();
  #moved = false;
  /** Read and not handled yet, in order; chunks among them (at most the window). */
  readonly #steps: Step[] = [];
  #chunks = 0;
  #pumping = false;
  #stopped = false;
  #room: (() => void) | undefined;
  /** Handling a chunk threw (a bug): the tailer's next hand-over fails with it (a read error). */
  #failed: unknown;

  constructor(options: SharedReaderOptions) {
    this.#o = options;
    this.#startedFrom = options.tailer.saved ?? new Map();
    this.#unread = new UnreadFiles(this.#startedFrom.keys());
    this.tailer = new Tailer({
      ...options.tailer,
      onChunk: (chunk) => this.#onChunk(chunk),
      onEvent: (event) => this.#onEvent(event),
    });
  }

  start(): void {
    this.tailer.start();
  }

  /** Stops reading; chunks read and not handed over yet are dropped (not committed: read again). */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#steps.length = 0;
    this.#chunks = 0;
    this.#room?.();
    return this.tailer.stop();
  }

  /** Instances attached now. */
  get attached(): number {
    return this.#attached.size;
  }

  /** Whether an instance saved at `saved` can attach at once: this reader starts there and has not moved. */
  startsAt(saved: PluginPositions): boolean {
    if (this.#moved || saved.size !== this.#startedFrom.size) return false;
    for (const [id, file] of saved) if (this.#startedFrom.get(id)?.offset !== file.offset) return false;
    return true;
  }

  attach(subscriber: Subscriber): void {
    this.#waiting.delete(subscriber);
    this.#attached.add(subscriber);
  }

  /**
   * Attaches an instance whose own reader stands where this one does ({@link matches});
   * `read(id)`: whether its own reader followed or passed over file `id`.
   */
  join(subscriber: Subscriber, read: (id: string) => boolean): void {
    this.#unread.join(subscriber, read);
    this.attach(subscriber);
  }

  /** A detached instance reading on its own, to be attached when it stands where this reader does. */
  awaitJoin(subscriber: Subscriber): void {
    this.#waiting.add(subscriber);
  }

  remove(subscriber: Subscriber): void {
    this.#unread.forget(subscriber);
    this.#attached.delete(subscriber);
    this.#waiting.delete(subscriber);
    this.#behindSince.delete(subscriber);
  }

  /**
   * How far a catch-up reader may read `file`: where this reader stands in it; to its end once
   * this reader let it go (read to its end) or judged it history, or when it is gone from its
   * path and this reader never saw it (a catch-up reader alone holds it open); else not at all
   * yet (this reader has not reached it).
   */
  readonly limit = (file: { readonly id: string; readonly detached: boolean }): number => {
    const offset = this.#followed.offsets.get(file.id);
    if (offset !== undefined) return Number.isNaN(offset) ? 0 : offset;
    return this.tailer.passedOver(file.id) || file.detached ? Number.POSITIVE_INFINITY : 0;
  };

  /** Whether this reader reads or has read `id` (and so keeps its rejected lines). */
  covers(id: string): boolean {
    return this.#followed.offsets.has(id) || this.tailer.passedOver(id);
  }

  /**
   * Whether a reader standing at `other` (with `endOf` its files' sizes) hands over, from now on,
   * exactly the lines this reader will: the same offset in every file this reader follows, and
   * any other file it follows one this reader let go or passed over, read to its end.
   */
  matches(other: Followed, endOf: (id: string) => number | undefined): boolean {
    if (!this.#followed.scanned || !other.scanned) return false;
    const own = this.#followed.offsets;
    for (const [id, offset] of own) if (other.offsets.get(id) !== offset) return false;
    for (const [id, offset] of other.offsets) {
      if (own.has(id)) continue;
      if (!this.tailer.passedOver(id) || endOf(id) !== offset) return false;
    }
    return true;
  }

  #onEvent(event: TailerEvent): void {
    if (this.#pumping || this.#steps.length > 0) this.#steps.push({ event });
    else this.#event(event);
  }

  /** Takes a chunk read; resolves once the reader may read on (fewer chunks in hand than the window). */
  async #onChunk(chunk: LineChunk): Promise<void> {
    this.#o.onChunkRead?.(chunk);
    const parsed = this.#o.ahead?.parse(chunk).catch(() => this.#o.parse(chunk));
    this.#steps.push({ chunk, parsed: parsed ?? Promise.resolve().then(() => this.#o.parse(chunk)) });
    this.#chunks++;
    void this.#pump();
    const window = this.#o.ahead?.window ?? 1;
    while (this.#chunks >= window && !this.#stopped) {
      await new Promise<void>((resolve) => {
        this.#room = resolve;
      });
    }
    const failed = this.#failed;
    this.#failed = undefined;
    if (failed !== undefined) throw failed;
  }

  /** Handles the steps in the order read. */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (let step = this.#steps[0]; step !== undefined && !this.#stopped; step = this.#steps[0]) {
        if ('event' in step) {
          this.#steps.shift();
          this.#event(step.event);
          continue;
        }
        try {
          const parsed = await step.parsed;
          if (this.#stopped) return;
          await this.#chunk(parsed);
        } catch (err) {
          this.#failed ??= err;
        }
        if (this.#stopped) return;
        this.#steps.shift();
        this.#chunks--;
        this.#room?.();
      }
    } finally {
      this.#pumping = false;
    }
  }

  #event(event: TailerEvent): void {
    if (event.kind === 'idle') {
      this.#admit();
      return;
    }
    if (event.kind === 'scanned') this.#followed.note(event);
    if (event.kind === 'tracked' || event.kind === 'truncated' || event.kind === 'released') {
      this.#admit(); // before positions move
      if (event.kind === 'tracked') this.#letUnread(event.id, event.offset ?? 0);
      if (event.kind === 'released') this.#unread.released(event.id);
      this.#moved = true;
      this.#followed.note(event);
    }
    for (const s of this.#attached) s.onEvent(event);
    for (const s of this.#waiting) s.wake();
  }

  async #chunk(parsed: ParsedChunk): Promise<void> {
    const { chunk } = parsed;
    if (parsed.rejects.length > 0) {
      const report = logKeepFailures(this.#o.logger, 'reading this input'); // rare: built only then
      if (!(await keep(this.#o.deadLetter, parsed.rejects, { stopped: () => this.#stopped, report }))) return;
    }
    this.#admit(); // before positions move: a joiner gets this chunk from here
    this.#releaseBehind();
    this.#moved = true;
    this.#followed.handedOver(chunk);
    await this.#dispatch(parsed);
    for (const s of this.#waiting) s.wake();
  }

  /** Attaches every waiting instance whose own reader stands where this one does. */
  #admit(): void {
    for (const s of [...this.#waiting]) s.tryJoin();
  }

  /**
   * Lets go, before the next chunk, every instance found behind (its queue full) at each chunk
   * handed over for `detachAfterMs`: a backend slower than the input (catching up on a backlog)
   * would otherwise pace every other instance to its speed, a wait short enough each time.
   */
  #releaseBehind(): void {
    const now = Date.now();
    let at: PluginPositions | undefined;
    for (const s of [...this.#attached]) {
      if (!s.behind()) {
        this.#behindSince.delete(s);
        continue;
      }
      const since = this.#behindSince.get(s) ?? now;
      this.#behindSince.set(s, since);
      if (now - since < this.#o.detachAfterMs) continue;
      at ??= this.#followed.snapshot();
      this.#let(s, at, Promise.resolve());
    }
  }

  /** This reader starts `id` at `offset`: joiners that never read it are let go if that skips lines. */
  #letUnread(id: string, offset: number): void {
    let at: PluginPositions | undefined;
    for (const s of this.#unread.tracked(id, offset)) {
      if (!this.#attached.has(s)) continue;
      at ??= this.#followed.snapshot();
      this.#let(s, at, Promise.resolve(), 'unread');
    }
  }

  #let(s: Subscriber, at: PluginPositions, accepted: Promise<void>, why: DetachReason = 'behind'): void {
    this.#unread.forget(s);
    this.#attached.delete(s);
    this.#behindSince.delete(s);
    s.detached(at, accepted, why);
  }

  async #dispatch(parsed: ParsedChunk): Promise<void> {
    if (this.#attached.size === 0) return;
    const pending = new Map<Subscriber, Promise<void>>();
    for (const s of this.#attached) {
      const accepted = s.feed(parsed).then(
        () => void pending.delete(s),
        (err: unknown) => {
          pending.delete(s);
          this.#o.logger.error({ err, plugin: s.id }, 'A plugin instance failed to accept read events.');
        },
      );
      pending.set(s, accepted);
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#o.detachAfterMs);
    });
    await Promise.race([Promise.all(pending.values()), late]);
    clearTimeout(timer);
    if (pending.size === 0) return;
    const at = this.#followed.snapshot();
    for (const [s, accepted] of pending) this.#let(s, at, accepted);
  }
}
