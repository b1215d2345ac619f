import type { Logger } from 'pino';
import type { DeadLetterWriter } from '../pipeline/dead-letter.js';
import { keep, logKeepFailures } from '../pipeline/keep.js';
import type { PluginPositions } from './checkpoint.js';
import { Followed } from './followed.js';
import type { ParsedChunk } from './ingest.js';
import type { DetachReason, SharedReader, Subscriber } from './shared-reader.js';
import type { FileState, LineChunk, Tailer, TailerEvent, TailerOptions } from './tailer.js';

/** Where an instance's own reader starts, and the hooks it reads through. */
export type OwnReaderOptions = Pick<
  TailerOptions,
  'saved' | 'horizon' | 'history' | 'from' | 'onChunk' | 'onEvent' | 'limit'
>;

export interface InputFeedOptions {
  /** The plugin instance fed. */
  readonly id: string;
  readonly shared: SharedReader;
  /** Hands parsed chunks to the instance's pipeline (./ingest.ts `feeder`). */
  readonly feed: (parsed: ParsedChunk) => Promise<void>;
  /** The instance's queue is full (its backend is behind). */
  readonly behind: () => boolean;
  readonly parse: (chunk: LineChunk) => ParsedChunk;
  readonly deadLetter: Pick<DeadLetterWriter, 'write'>;
  /** Tailer events of whichever reader feeds the instance. */
  readonly onEvent: (event: TailerEvent) => void;
  readonly onChunkRead: (chunk: LineChunk) => void;
  /** Builds the instance's own reader of this input. */
  readonly tailer: (options: OwnReaderOptions) => Tailer;
  /** Called when the instance falls behind the shared reader and is let go. */
  readonly onDetached: () => void;
  /** Called when the instance reads with its own reader (`true`) and joins the shared one (`false`). */
  readonly onOwnReader: (own: boolean) => void;
  readonly logger: Logger;
}

interface OwnReader {
  readonly tailer: Tailer;
  readonly followed: Followed;
  /** Chunks handed to the pipeline and not yet accepted. */
  pending: number;
  /** Joined the shared reader: what this reader still reads is dropped (it is stopping). */
  joined: boolean;
}

/**
 * One plugin instance's feed from one input: attached to the input's shared reader, or, while
 * catching up (it fell behind, or its checkpoint is not where the shared reader started), its
 * own reader from its own position, capped at the shared reader's, until the two stand at the
 * same offsets and it joins again. See src/sources/DESIGN.md, "One reader per input".
 */
export class InputFeed implements Subscriber {
  readonly id: string;
  readonly #o: InputFeedOptions;
  #own: OwnReader | undefined;
  /** Detached, its last chunk not accepted yet: where it stands, and since when. */
  #held: { readonly at: PluginPositions; readonly since: number } | undefined;
  readonly #stopping: Promise<void>[] = [];
  #stopped = false;

  constructor(options: InputFeedOptions) {
    this.id = options.id;
    this.#o = options;
  }

  /** The tailer reading for this instance now (the shared one while attached). */
  get tailer(): Tailer {
    return this.#own?.tailer ?? this.#o.shared.tailer;
  }

  get ownReader(): boolean {
    return this.#own !== undefined;
  }

  /**
   * Each file's read position against its size (lag metrics, `/readyz`). Detached and waiting
   * for its last chunk to be accepted, the instance stands where it was let go, behind since.
   */
  files(): FileState[] {
    const held = this.#held;
    if (held === undefined) return this.tailer.states();
    return this.#o.shared.tailer.states().map((f) => ({
      ...f,
      offset: held.at.get(f.id)?.offset ?? 0,
      behindSince: Math.min(f.behindSince ?? held.since, held.since),
    }));
  }

  /** Starts at `saved` (its checkpoint): attached if the shared reader starts there too. */
  start(saved: PluginPositions, horizon: number | undefined, from: 'beginning' | 'end'): void {
    if (this.#o.shared.startsAt(saved)) this.#o.shared.attach(this);
    else this.#readOwn({ saved, ...(horizon === undefined ? {} : { horizon }), from }, true);
  }

  feed(parsed: ParsedChunk): Promise<void> {
    return this.#o.feed(parsed);
  }

  behind(): boolean {
    return this.#o.behind();
  }

  onEvent(event: TailerEvent): void {
    this.#o.onEvent(event);
  }

  detached(at: PluginPositions, accepted: Promise<void>, why: DetachReason): void {
    if (this.#stopped) return;
    this.#o.onOwnReader(true);
    if (why === 'behind') {
      this.#o.onDetached();
      this.#o.logger.warn(
        'Plugin instance fell behind the shared reader; it reads on its own until it catches up.',
      );
    } else {
      this.#o.logger.info(
        'Plugin instance reads a rotated file it has not read yet on its own, then rejoins the shared reader.',
      );
    }
    this.#held = { at, since: Date.now() };
    // Files the shared reader follows are in `at`; a sibling it does not name is history only if
    // the shared reader passed it over. Not by time: a file may have been written in full (and
    // rotated) after the shared reader's last scan and before `at` was taken, and is not in it.
    const history = (id: string): boolean => this.#o.shared.tailer.passedOver(id);
    void accepted.then(() => {
      this.#held = undefined;
      if (!this.#stopped) this.#readOwn({ saved: at, history, from: 'beginning' }, false);
    });
  }

  tryJoin(): boolean {
    const own = this.#own;
    // With its queue full it would be let go again at once: it joins once the queue has room.
    if (own === undefined || own.pending > 0 || this.#stopped || this.#o.behind()) return false;
    if (!this.#o.shared.matches(own.followed, (id) => own.tailer.sizeOf(id))) return false;
    own.joined = true;
    this.#own = undefined;
    this.#o.shared.join(this, (id) => own.followed.offsets.has(id) || own.tailer.passedOver(id));
    this.#stopping.push(own.tailer.stop());
    this.#o.onOwnReader(false);
    this.#o.logger.info('Plugin instance caught up; back on the shared reader.');
    return true;
  }

  wake(): void {
    this.#own?.tailer.wake();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#o.shared.remove(this);
    if (this.#own !== undefined) this.#stopping.push(this.#own.tailer.stop());
    await Promise.all(this.#stopping);
  }

  /** Reads with its own reader from `start` (its checkpoint, or where it was let go). */
  #readOwn(start: Pick<OwnReaderOptions, 'saved' | 'horizon' | 'history' | 'from'>, announce: boolean): void {
    const o = this.#o;
    const followed = new Followed();
    const tailer = o.tailer({
      ...start,
      limit: o.shared.limit,
      onChunk: async (chunk) => {
        if (own.joined) return;
        o.onChunkRead(chunk);
        const parsed = o.parse(chunk);
        // Lines the shared reader never reads are this reader's to keep when rejected.
        if (parsed.rejects.length > 0 && !o.shared.covers(chunk.sourceId)) {
          const stopped = () => this.#stopped || own.joined;
          const report = logKeepFailures(o.logger, 'reading this input');
          if (!(await keep(o.deadLetter, parsed.rejects, { stopped, report }))) return;
        }
        followed.handedOver(chunk);
        own.pending++;
        try {
          await o.feed(parsed);
        } finally {
          own.pending--;
        }
        this.tryJoin();
      },
      onEvent: (event) => {
        if (own.joined) return;
        followed.note(event);
        o.onEvent(event);
        if (event.kind === 'idle') this.tryJoin();
      },
    });
    const own: OwnReader = { tailer, followed, pending: 0, joined: false };
    this.#own = own;
    o.shared.awaitJoin(this);
    if (announce) o.onOwnReader(true);
    tailer.start();
  }
}
