import { hostname } from 'node:os';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import { parseDurationMs } from './config/duration.js';
import type { Config } from './config/schema.js';
import type { FormatDefinition } from './parsers/format.js';
import { formatOf } from './parsers/index.js';
import { eventOrigin, stampOrigin } from './parsers/origin.js';
import type { DeadLetterWriter } from './pipeline/dead-letter.js';
import { Pipeline } from './pipeline/pipeline.js';
import type { PipelineTelemetry } from './pipeline/telemetry.js';
import type { Plugin } from './plugin/contract.js';
import type { PluginPositions } from './sources/checkpoint.js';
import type { Checkpointer } from './sources/checkpointer.js';
import { chunkParser, feeder, type ParsedChunk } from './sources/ingest.js';
import { InputFeed, type OwnReaderOptions } from './sources/input-feed.js';
import type { ParsePool } from './sources/parse-pool.js';
import { SharedReader } from './sources/shared-reader.js';
import { type FileState, type LineChunk, Tailer, type TailerEvent } from './sources/tailer.js';
import type { InputTelemetry } from './telemetry/events.js';
import type { SelfMetrics } from './telemetry/metrics.js';

/** One configured input: its shared reader, its parser, and how to build an instance's own reader. */
export interface Input {
  readonly shared: SharedReader;
  readonly parse: (chunk: LineChunk) => ParsedChunk;
  readonly from: 'beginning' | 'end';
  readonly ownReader: (options: OwnReaderOptions & { readonly logger: Logger }) => Tailer;
}

export interface InputDeps {
  readonly deadLetter: DeadLetterWriter;
  /** Worker threads to parse in (`pipeline.workers`); none: the main thread parses. */
  readonly pool?: ParsePool;
  readonly checkpointer: Checkpointer;
  readonly logger: Logger;
}

/**
 * Opens input `index` of `config` with a shared reader starting at `saved` (the checkpoint of
 * the instance that opens it; see Readers). Not started yet.
 */
export function openInput(
  config: Config,
  index: number,
  deps: InputDeps,
  saved: PluginPositions,
  horizon: number | undefined,
): Input {
  const input = config.inputs[index] as Config['inputs'][number];
  const format = formatOf(input.format);
  const { checkpointer } = deps;
  const settings = {
    patterns: input.paths,
    siblingPatterns: input.followRotated ? rotatedSiblings(format, input.paths) : [],
    pollIntervalMs: input.pollIntervalMs,
    partialLineTimeoutMs: input.partialLineTimeoutMs,
    maxLineBytes: input.maxLineBytes,
    gate: () => checkpointer.writable(),
  };
  const onChunkRead = (chunk: LineChunk): void => noteFile(checkpointer, chunk);
  const pool = deps.pool;
  const origin = eventOrigin(format.name, input.hostName ?? hostname());
  const parse = chunkParser({ parser: format.parser, origin, maxLineBytes: input.maxLineBytes });
  const job = { format: input.format, host: origin.host?.name, maxLineBytes: input.maxLineBytes };
  // Events come back as copies: stamped again, they share the input's one frozen origin.
  const ahead =
    pool === undefined
      ? undefined
      : {
          window: 2 * pool.size,
          parse: async (chunk: LineChunk): Promise<ParsedChunk> => {
            const parsed = await pool.parse(job, chunk);
            for (const event of parsed.events) stampOrigin(event, origin);
            return { chunk, ...parsed };
          },
        };
  const shared = new SharedReader({
    tailer: {
      ...settings,
      from: input.from,
      saved,
      ...(horizon === undefined ? {} : { horizon }),
      logger: deps.logger.child({ input: index }),
    },
    parse,
    deadLetter: deps.deadLetter,
    onChunkRead,
    detachAfterMs: config.pipeline.detachAfterMs,
    ...(ahead === undefined ? {} : { ahead }),
    logger: deps.logger,
  });
  return {
    shared,
    parse,
    from: input.from,
    ownReader: ({ logger, ...own }) =>
      new Tailer({
        ...settings,
        ...own,
        onChunk: async (chunk) => {
          onChunkRead(chunk);
          await own.onChunk(chunk);
        },
        logger,
      }),
  };
}

function noteFile(checkpointer: Checkpointer, chunk: LineChunk): void {
  checkpointer.noteFile(chunk.sourceId, {
    path: chunk.path,
    ...(chunk.fingerprint === undefined ? {} : { fingerprint: chunk.fingerprint }),
  });
}

export interface RouteOptions {
  readonly id: string;
  readonly plugin: Plugin;
  /** `maxEventAge` of the plugin's config section (`0s`: no limit). */
  readonly maxEventAge: string;
  readonly config: Config;
  readonly deadLetter: DeadLetterWriter;
  readonly checkpointer: Checkpointer;
  readonly metrics: SelfMetrics;
  readonly pipelineTelemetry: PipelineTelemetry;
  readonly inputTelemetry: InputTelemetry;
  readonly logger: Logger;
}

/**
 * Everything that feeds one plugin instance: its batches, lane and checkpoint, and its feed
 * from every input. An input is read and parsed once for all instances (its shared reader); an
 * instance that falls behind (backend down) reads on alone and rejoins once caught up, so it
 * pauses nobody else, and after a restart each instance resumes exactly where it stopped.
 */
export class Route {
  readonly id: string;
  readonly pipeline: Pipeline;
  readonly #options: RouteOptions;
  readonly #feeds: InputFeed[] = [];

  constructor(options: RouteOptions) {
    this.id = options.id;
    this.#options = options;
    const { pipeline } = options.config;
    this.pipeline = new Pipeline({
      plugins: [{ id: options.id, plugin: options.plugin }],
      batchMaxEvents: pipeline.batchMaxEvents,
      batchMaxWaitMs: pipeline.batchMaxWaitMs,
      queueMaxBatches: pipeline.queueMaxBatches,
      retry: pipeline.retry,
      deadLetter: options.deadLetter,
      telemetry: options.pipelineTelemetry,
      onCommit: (positions) => {
        options.metrics.checkpointCommits.inc({ plugin: options.id });
        options.checkpointer.update(options.id, positions);
      },
      fileInfo: (id) => options.checkpointer.fileInfo(id),
    });
  }

  get openFiles(): number {
    return this.#feeds.reduce((n, f) => n + f.tailer.openFiles, 0);
  }

  /** Input files this route cannot open or read: path → reason. */
  errors(): Map<string, string> {
    return new Map(this.#feeds.flatMap((f) => [...f.tailer.errors]));
  }

  files(): FileState[] {
    return this.#feeds.flatMap((f) => f.files());
  }

  /** Starts delivery, then reading every input from the checkpointed positions. */
  start(
    inputs: readonly Input[],
    saved: PluginPositions,
    horizon: number | undefined,
    onFilesChanged: () => void,
  ): void {
    const o = this.#options;
    this.pipeline.start();
    const onEvent = this.#onEvent(onFilesChanged);
    const feed = feeder({
      plugin: o.id,
      pipeline: this.pipeline,
      metrics: o.metrics,
      telemetry: o.inputTelemetry,
      maxEventAgeMs: parseDurationMs(o.maxEventAge),
    });
    const logger = o.logger.child({ plugin: o.id });
    let own = 0;
    o.metrics.ownReaders.set({ plugin: o.id }, 0);
    o.metrics.detaches.inc({ plugin: o.id }, 0);
    for (const input of inputs) {
      const f = new InputFeed({
        id: o.id,
        shared: input.shared,
        feed,
        behind: () => this.pipeline.full,
        parse: input.parse,
        deadLetter: o.deadLetter,
        onEvent,
        onChunkRead: (chunk) => noteFile(o.checkpointer, chunk),
        tailer: (options) => input.ownReader({ ...options, logger }),
        onDetached: () => o.metrics.detaches.inc({ plugin: o.id }),
        onOwnReader: (alone) => {
          own += alone ? 1 : -1;
          o.metrics.ownReaders.set({ plugin: o.id }, own);
        },
        logger,
      });
      this.#feeds.push(f);
      f.start(saved, horizon, input.from);
    }
  }

  /** Stops reading, then delivers what is queued until the deadline. */
  async stop(deadlineMs: number): Promise<void> {
    const stopped = Promise.all(this.#feeds.map((f) => f.stop()));
    this.pipeline.stopAccepting(); // a reader held by a full queue (backend down) must not wait
    await stopped;
    await this.pipeline.close(deadlineMs);
  }

  #onEvent(onFilesChanged: () => void): (event: TailerEvent) => void {
    const o = this.#options;
    const firstScans: number[] = [];
    return (event) => {
      switch (event.kind) {
        case 'files':
          onFilesChanged();
          return;
        case 'tracked':
          o.checkpointer.noteFile(event.id, { path: event.path, fingerprint: event.fingerprint });
          if (event.offset !== undefined) o.checkpointer.noteStart(o.id, event.id, event.offset);
          return;
        case 'scanned':
          firstScans.push(event.startedAt);
          if (firstScans.length === o.config.inputs.length)
            o.checkpointer.setHorizon(o.id, Math.min(...firstScans));
          return;
        case 'rotated':
          o.metrics.rotations.inc({ plugin: o.id });
          return;
        case 'renamed':
          o.checkpointer.noteFile(event.id, { path: event.path });
          return;
        case 'truncated':
          o.metrics.truncations.inc({ plugin: o.id });
          return;
        case 'readError':
          o.metrics.readErrors.inc({ plugin: o.id, code: event.code });
          return;
        default:
          return;
      }
    };
  }
}

/**
 * The globs of the rotated siblings of each path that names one file (no glob characters in its
 * last part), in the format's naming (WSO2's log4j2: `apim_metrics.log` → `apim_metrics-*.log`).
 */
export function rotatedSiblings(
  format: Pick<FormatDefinition, 'rotatedSiblings'>,
  paths: readonly string[],
): string[] {
  const globs: string[] = [];
  for (const path of paths) {
    if (/[*?[{]/.test(basename(path))) continue;
    const glob = format.rotatedSiblings(path);
    if (glob !== undefined) globs.push(glob);
  }
  return globs;
}
