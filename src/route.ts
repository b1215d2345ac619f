import { hostname } from 'node:os';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import { parseDurationMs } from './config/duration.js';
import type { Config } from './config/schema.js';
import type { FormatDefinition } from './parsers/format.js';
import { formatOf } from './parsers/index.js';
import { eventOrigin } from './parsers/origin.js';
import type { DeadLetterWriter } from './pipeline/dead-letter.js';
import { Pipeline } from './pipeline/pipeline.js';
import type { PipelineTelemetry } from './pipeline/telemetry.js';
import type { Plugin } from './plugin/contract.js';
import type { PluginPositions } from './sources/checkpoint.js';
import type { Checkpointer } from './sources/checkpointer.js';
import { createIngest } from './sources/ingest.js';
import { type FileState, Tailer, type TailerEvent } from './sources/tailer.js';
import type { InputTelemetry } from './telemetry/events.js';
import type { SelfMetrics } from './telemetry/metrics.js';

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
  /** Whether this route writes parse rejections to the dead-letter file (one route does). */
  readonly recordsRejects: boolean;
  readonly logger: Logger;
}

/**
 * Everything that feeds one plugin: its own readers of every input, its own batches, lane and
 * checkpoint. Plugins share nothing, so a plugin whose backend is down pauses only its own
 * reading (the log file is its buffer) while the others keep delivering, and after a restart
 * each resumes exactly where it stopped.
 */
export class Route {
  readonly id: string;
  readonly pipeline: Pipeline;
  readonly #options: RouteOptions;
  readonly #tailers: Tailer[] = [];

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
    });
  }

  get openFiles(): number {
    return this.#tailers.reduce((n, t) => n + t.openFiles, 0);
  }

  /** Input files this route cannot open or read: path → reason. */
  errors(): Map<string, string> {
    return new Map(this.#tailers.flatMap((t) => [...t.errors]));
  }

  files(): FileState[] {
    return this.#tailers.flatMap((t) => t.states());
  }

  /** Starts delivery, then reading from the checkpointed positions. */
  start(saved: PluginPositions, horizon: number | undefined, onFilesChanged: () => void): void {
    const o = this.#options;
    this.pipeline.start();
    const firstScans: number[] = [];
    const onEvent = (event: TailerEvent): void => {
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
        case 'truncated':
          o.metrics.truncations.inc({ plugin: o.id });
          return;
        case 'readError':
          o.metrics.readErrors.inc({ plugin: o.id, code: event.code });
          return;
      }
    };
    for (const input of o.config.inputs) {
      const format = formatOf(input.format);
      const ingest = createIngest({
        plugin: o.id,
        parser: format.parser,
        origin: eventOrigin(format.name, input.hostName ?? hostname()),
        maxLineBytes: input.maxLineBytes,
        pipeline: this.pipeline,
        deadLetter: o.recordsRejects ? o.deadLetter : undefined,
        metrics: o.metrics,
        telemetry: o.inputTelemetry,
        maxEventAgeMs: parseDurationMs(o.maxEventAge),
      });
      const tailer = new Tailer({
        patterns: input.paths,
        siblingPatterns: input.followRotated ? rotatedSiblings(format, input.paths) : [],
        from: input.from,
        pollIntervalMs: input.pollIntervalMs,
        partialLineTimeoutMs: input.partialLineTimeoutMs,
        maxLineBytes: input.maxLineBytes,
        saved,
        ...(horizon === undefined ? {} : { horizon }),
        onChunk: (chunk) => {
          o.checkpointer.noteFile(chunk.sourceId, {
            path: chunk.path,
            ...(chunk.fingerprint === undefined ? {} : { fingerprint: chunk.fingerprint }),
          });
          return ingest(chunk);
        },
        onEvent,
        gate: () => o.checkpointer.writable(),
        logger: o.logger.child({ plugin: o.id }),
      });
      tailer.start();
      this.#tailers.push(tailer);
    }
  }

  /** Stops reading, then delivers what is queued until the deadline. */
  async stop(deadlineMs: number): Promise<void> {
    const stopped = Promise.all(this.#tailers.map((t) => t.stop()));
    this.pipeline.stopAccepting(); // a tailer held by a full queue (backend down) must not wait
    await stopped;
    await this.pipeline.close(deadlineMs);
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
