import type { LineParser } from '../parsers/format.js';
import type { EventOrigin } from '../parsers/origin.js';
import type { DeadLetterRecord, DeadLetterWriter } from '../pipeline/dead-letter.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { CanonicalEvent } from '../schema/event.js';
import type { InputTelemetry } from '../telemetry/events.js';
import type { SelfMetrics } from '../telemetry/metrics.js';
import type { LineChunk } from './tailer.js';

/** A chunk of read lines, parsed once: what every plugin instance reading it is handed. */
export interface ParsedChunk {
  readonly chunk: LineChunk;
  /** In line order, stamped with the input's origin. Shared: plugins must not change them. */
  readonly events: readonly CanonicalEvent[];
  /** Rejected lines, as kept in the dead-letter file. */
  readonly rejects: readonly DeadLetterRecord[];
  readonly responses: number;
  readonly faulty: number;
  /** Skipped lines by the format's reason. */
  readonly skips: ReadonlyMap<string, number> | undefined;
}

export interface ParseOptions {
  readonly parser: LineParser;
  /** `gateway.type` and `host.name`, stamped on each event (one shared frozen object per input). */
  readonly origin: EventOrigin;
  readonly maxLineBytes: number;
}

/**
 * Parses chunks of read lines into events stamped with the input's origin (`gateway`, `host`),
 * rejected lines (with the reason) and skip counts. Parsing happens once per input; each plugin
 * instance then takes the result through its own {@link feeder}.
 */
export function chunkParser(options: ParseOptions): (chunk: LineChunk) => ParsedChunk {
  const { parser, origin, maxLineBytes } = options;
  const { gateway, host } = origin;
  const parseOptions = { maxLineBytes };
  return (chunk) => {
    const events: CanonicalEvent[] = [];
    const rejects: DeadLetterRecord[] = [];
    let responses = 0;
    let faulty = 0;
    let skips: Map<string, number> | undefined;
    for (const line of chunk.lines) {
      if (line.kind === 'too_long') {
        const detail = `line of ${line.byteLength} bytes exceeds maxLineBytes ${maxLineBytes}`;
        rejects.push(reject(chunk, line.endOffset, 'line_too_long', detail, line.prefix, origin));
        continue;
      }
      const result = parser.parseLine(line.text, parseOptions);
      switch (result.kind) {
        case 'event': {
          const event = result.event;
          if (event.eventType === 'response') responses++;
          else faulty++;
          event.gateway = gateway;
          if (host !== undefined) event.host = host;
          events.push(event);
          break;
        }
        case 'skip':
          skips ??= new Map();
          skips.set(result.reason, (skips.get(result.reason) ?? 0) + 1);
          break;
        case 'reject':
          rejects.push(reject(chunk, line.endOffset, result.reason, result.detail, line.text, origin));
          break;
      }
    }
    return { chunk, events, rejects, responses, faulty, skips };
  };
}

export interface FeedOptions {
  /** The plugin instance fed: the `plugin` label of the input metrics. */
  readonly plugin: string;
  readonly pipeline: Pick<Pipeline, 'accept'>;
  readonly metrics: SelfMetrics;
  readonly telemetry: InputTelemetry;
  /** Events older than this (ms, by requestTimestamp) are skipped for this plugin; 0: no limit. */
  readonly maxEventAgeMs?: number;
}

/**
 * Hands parsed chunks to one plugin instance's pipeline, counting what was read, parsed, skipped
 * and rejected under its `plugin` label, and leaving out events older than its `maxEventAge`.
 */
export function feeder(options: FeedOptions): (parsed: ParsedChunk) => Promise<void> {
  const { plugin, pipeline, metrics, telemetry } = options;
  const maxAge = options.maxEventAgeMs ?? 0;
  return async ({ chunk, events, rejects, responses, faulty, skips }) => {
    let kept = events;
    if (maxAge > 0 && events.length > 0) {
      const cutoff = Date.now() - maxAge;
      kept = events.filter((event) => !(Date.parse(event.requestTimestamp) < cutoff));
      const tooOld = events.length - kept.length;
      if (tooOld > 0) metrics.eventsSkipped.inc({ plugin, reason: 'too_old' }, tooOld);
    }
    for (const r of rejects) {
      if (r.stage === 'parse')
        telemetry.lineRejected(plugin, r.reason, r.source.file, r.source.offset, r.detail);
    }
    metrics.linesRead.inc({ plugin }, chunk.lines.length);
    if (chunk.bytes > 0) metrics.bytesRead.inc({ plugin }, chunk.bytes);
    if (responses > 0) metrics.eventsParsed.inc({ plugin, event_type: 'response' }, responses);
    if (faulty > 0) metrics.eventsParsed.inc({ plugin, event_type: 'faulty' }, faulty);
    if (skips !== undefined) {
      for (const [reason, n] of skips) metrics.linesSkipped.inc({ plugin, reason }, n);
    }
    await pipeline.accept(kept, chunk.sourceId, chunk.endOffset);
  };
}

export interface IngestOptions extends ParseOptions, FeedOptions {
  /** Where rejected lines are kept; undefined for readers that leave that to another. */
  readonly deadLetter: Pick<DeadLetterWriter, 'write'> | undefined;
}

/**
 * One reader's whole path from read lines to a pipeline: parse, keep rejected lines in the
 * dead-letter file before their offsets can be committed (no line is lost unseen), feed.
 */
export function createIngest(options: IngestOptions): (chunk: LineChunk) => Promise<void> {
  const parse = chunkParser(options);
  const feed = feeder(options);
  return async (chunk) => {
    const parsed = parse(chunk);
    if (parsed.rejects.length > 0 && options.deadLetter !== undefined)
      await options.deadLetter.write(parsed.rejects);
    await feed(parsed);
  };
}

const MAX_KEPT_LINE = 64 * 1024;

function reject(
  chunk: LineChunk,
  endOffset: number,
  reason: string,
  detail: string,
  line: string,
  origin: EventOrigin,
): DeadLetterRecord {
  return {
    stage: 'parse',
    reason,
    detail,
    source: { file: chunk.path, offset: endOffset },
    line: line.length > MAX_KEPT_LINE ? line.slice(0, MAX_KEPT_LINE) : line,
    format: origin.gateway.type,
    ...(origin.host === undefined ? {} : { host: origin.host.name }),
  };
}
