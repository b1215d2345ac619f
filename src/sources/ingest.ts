import type { LineParser } from '../parsers/format.js';
import type { EventOrigin } from '../parsers/origin.js';
import type { DeadLetterRecord, DeadLetterWriter } from '../pipeline/dead-letter.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { CanonicalEvent } from '../schema/event.js';
import type { InputTelemetry } from '../telemetry/events.js';
import type { SelfMetrics } from '../telemetry/metrics.js';
import type { LineChunk } from './tailer.js';

export interface IngestOptions {
  /** The plugin this reader feeds: the `plugin` label of the input metrics. */
  readonly plugin: string;
  readonly parser: LineParser;
  /** `gateway.type` and `host.name`, stamped on each event (one shared frozen object per input). */
  readonly origin: EventOrigin;
  readonly maxLineBytes: number;
  readonly pipeline: Pick<Pipeline, 'accept'>;
  /** Where rejected lines are kept; undefined for readers that leave that to another route. */
  readonly deadLetter: Pick<DeadLetterWriter, 'write'> | undefined;
  readonly metrics: SelfMetrics;
  readonly telemetry: InputTelemetry;
  /** Events older than this (ms, by requestTimestamp) are skipped for this plugin; 0: no limit. */
  readonly maxEventAgeMs?: number;
}

/**
 * Turns chunks of read lines into events for the pipeline, each stamped with the input's origin
 * (`gateway`, `host`). Rejected lines are written to the dead-letter file before their offsets can
 * be committed, so no line is ever lost unseen. Skips are counted by the format's own reasons.
 */
export function createIngest(options: IngestOptions): (chunk: LineChunk) => Promise<void> {
  const { plugin, parser, pipeline, deadLetter, metrics, telemetry } = options;
  const { gateway, host } = options.origin;
  const parseOptions = { maxLineBytes: options.maxLineBytes };
  const maxAge = options.maxEventAgeMs ?? 0;
  return async (chunk) => {
    const events: CanonicalEvent[] = [];
    const rejects: DeadLetterRecord[] = [];
    let responses = 0;
    let faulty = 0;
    let skips: Map<string, number> | undefined;
    let tooOld = 0;
    const cutoff = maxAge > 0 ? Date.now() - maxAge : 0;
    for (const line of chunk.lines) {
      if (line.kind === 'too_long') {
        const detail = `line of ${line.byteLength} bytes exceeds maxLineBytes ${options.maxLineBytes}`;
        rejects.push(reject(chunk, line.endOffset, 'line_too_long', detail, line.prefix, options.origin));
        telemetry.lineRejected(plugin, 'line_too_long', chunk.path, line.endOffset, detail);
        continue;
      }
      const result = parser.parseLine(line.text, parseOptions);
      switch (result.kind) {
        case 'event': {
          const event = result.event;
          if (event.eventType === 'response') responses++;
          else faulty++;
          if (cutoff > 0 && Date.parse(event.requestTimestamp) < cutoff) {
            tooOld++;
            break;
          }
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
          rejects.push(
            reject(chunk, line.endOffset, result.reason, result.detail, line.text, options.origin),
          );
          telemetry.lineRejected(plugin, result.reason, chunk.path, line.endOffset, result.detail);
          break;
      }
    }
    metrics.linesRead.inc({ plugin }, chunk.lines.length);
    if (chunk.bytes > 0) metrics.bytesRead.inc({ plugin }, chunk.bytes);
    if (responses > 0) metrics.eventsParsed.inc({ plugin, event_type: 'response' }, responses);
    if (faulty > 0) metrics.eventsParsed.inc({ plugin, event_type: 'faulty' }, faulty);
    if (tooOld > 0) metrics.eventsSkipped.inc({ plugin, reason: 'too_old' }, tooOld);
    if (skips !== undefined) {
      for (const [reason, n] of skips) metrics.linesSkipped.inc({ plugin, reason }, n);
    }
    if (rejects.length > 0 && deadLetter !== undefined) await deadLetter.write(rejects);
    await pipeline.accept(events, chunk.sourceId, chunk.endOffset);
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
