import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ErrorCode } from '../errors.js';
import type { InputFormat } from '../parsers/index.js';
import type { ParsedChunk } from './ingest.js';
import type { LineChunk } from './tailer.js';

/** What a worker needs to parse an input's lines as the main thread would. */
export interface ParseInput {
  readonly format: InputFormat;
  readonly host: string | undefined;
  readonly maxLineBytes: number;
}

export interface ParseRequest {
  readonly id: number;
  readonly input: ParseInput;
  readonly chunk: LineChunk;
}

/** A parse result without its chunk (the caller keeps the chunk; it never crosses threads back). */
export type ParsedLines = Omit<ParsedChunk, 'chunk'>;

export type ParseResponse =
  | ({ readonly id: number } & ParsedLines)
  | { readonly id: number; readonly error: string };

interface Waiting {
  readonly resolve: (parsed: ParsedLines) => void;
  readonly reject: (err: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly waiting: Map<number, Waiting>;
}

export interface ParsePoolOptions {
  /** Worker threads (at least 1). */
  readonly size: number;
  readonly logger: Logger;
  /** The worker module (default: the built `parse-worker.js` next to this module). */
  readonly workerUrl?: URL;
  /** A worker failed or exited unasked (it is replaced at the next chunk). */
  readonly onFailure?: () => void;
}

/** Workers for `pipeline.workers`: `auto` is one per core beyond the first, at most 8. */
export function resolveWorkers(setting: number | 'auto', cores = availableParallelism()): number {
  if (setting !== 'auto') return setting;
  return cores <= 1 ? 0 : Math.min(cores - 1, 8);
}

/**
 * Worker threads that parse chunks of lines (see src/sources/DESIGN.md, "Parsing on other
 * cores"). Started on first use. A chunk goes to the worker with the fewest chunks in hand;
 * results come back in any order (the shared reader puts them back in sequence). A worker that
 * fails or exits fails the chunks it held (the caller parses them itself) and is replaced at the
 * next chunk.
 */
export class ParsePool {
  readonly size: number;
  readonly #o: ParsePoolOptions;
  readonly #slots: (Slot | undefined)[];
  #id = 0;
  #closed = false;
  /** Workers that failed or exited unasked (replaced). */
  failures = 0;

  constructor(options: ParsePoolOptions) {
    this.#o = options;
    this.size = Math.max(1, options.size);
    this.#slots = Array.from({ length: this.size }, () => undefined);
  }

  /** Parses `chunk` of `input` in a worker; rejects if the worker fails (parse it on this thread). */
  parse(input: ParseInput, chunk: LineChunk): Promise<ParsedLines> {
    if (this.#closed) return Promise.reject(new Error('parse pool closed'));
    const slot = this.#pick();
    const id = ++this.#id;
    return new Promise<ParsedLines>((resolve, reject) => {
      slot.waiting.set(id, { resolve, reject });
      slot.worker.postMessage({ id, input, chunk } satisfies ParseRequest);
    });
  }

  /** Chunks in the workers' hands now. */
  get inFlight(): number {
    return this.#slots.reduce((n, s) => n + (s?.waiting.size ?? 0), 0);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.splice(0);
    await Promise.all(
      slots.map(async (slot) => {
        if (slot === undefined) return;
        this.#fail(slot, new Error('parse pool closed'));
        await slot.worker.terminate();
      }),
    );
  }

  #pick(): Slot {
    let best = -1;
    for (let i = 0; i < this.size; i++) {
      const slot = this.#slots[i];
      if (slot === undefined) {
        best = i;
        break;
      }
      if (best === -1 || slot.waiting.size < (this.#slots[best]?.waiting.size ?? 0)) best = i;
    }
    return this.#slots[best] ?? this.#start(best);
  }

  #start(index: number): Slot {
    const url = this.#o.workerUrl ?? defaultWorkerUrl();
    // A smaller young generation: ~40 MiB less peak RSS per worker for no CPU (bench/experiments/workers).
    const worker = new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: 16 } });
    worker.unref();
    const slot: Slot = { worker, waiting: new Map() };
    this.#slots[index] = slot;
    worker.on('message', (response: ParseResponse) => {
      const waiting = slot.waiting.get(response.id);
      if (waiting === undefined) return;
      slot.waiting.delete(response.id);
      if ('error' in response) {
        waiting.reject(new Error(response.error));
        return;
      }
      const { events, rejects, responses, faulty, skips } = response;
      waiting.resolve({ events, rejects, responses, faulty, skips });
    });
    const lost = (err: Error): void => {
      if (this.#slots[index] !== slot) return;
      this.#slots[index] = undefined;
      if (this.#closed) return;
      this.failures++;
      this.#o.onFailure?.();
      this.#o.logger.error(
        { err, code: 'GAX_ERR_PARSE_WORKER' satisfies ErrorCode },
        'A parse worker failed; it is replaced.',
      );
      this.#fail(slot, err);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`parse worker exited with code ${code}`)));
    return slot;
  }

  #fail(slot: Slot, err: Error): void {
    for (const waiting of slot.waiting.values()) waiting.reject(err);
    slot.waiting.clear();
  }
}

/**
 * The built worker next to this module; under a TypeScript runner (the tests run the sources)
 * the built one in `dist/`, which the test set-up builds.
 */
function defaultWorkerUrl(): URL {
  const here = new URL(import.meta.url);
  if (here.pathname.endsWith('.ts')) return new URL('../../dist/src/sources/parse-worker.js', here);
  return new URL('./parse-worker.js', here);
}
