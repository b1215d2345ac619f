import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { GaxError } from '../errors.js';
import type { FormatDefinition, LineParser } from '../parsers/format.js';
import { findFormat, formats } from '../parsers/index.js';
import type { EventOrigin } from '../parsers/origin.js';
import type { CanonicalEvent } from '../schema/event.js';
import { LineSplitter, type SplitLine } from '../sources/line-splitter.js';

/** What reading one log file reports besides its events. */
export interface ReadCounts {
  lines: number;
  events: number;
  /** Blank lines and lines that are not metric records. */
  skipped: number;
  rejected: number;
  readonly rejectedByReason: Map<string, number>;
}

/** How `gax replay` reads its files: which format, with which line limit. */
export interface ReplayFormat {
  readonly format: FormatDefinition;
  readonly maxLineBytes: number;
}

/**
 * The format of replayed files: `--format` when given, else the configured inputs' format (they
 * must agree); `maxLineBytes` of the first input of that format, else the format's default.
 */
export function replayFormat(config: Pick<Config, 'inputs'>, name: string | undefined): ReplayFormat {
  const configured = [...new Set(config.inputs.map((i) => i.format))];
  if (name === undefined && configured.length > 1) {
    throw new GaxError(
      'GAX_ERR_CLI_USAGE',
      `the inputs have several formats (${configured.join(', ')}): choose the files' with --format`,
    );
  }
  const chosen = name ?? configured[0] ?? formats[0].name;
  const format = findFormat(chosen);
  if (format === undefined) {
    const known = formats.map((f) => f.name).join(', ');
    throw new GaxError('GAX_ERR_CLI_USAGE', `unknown format "${chosen}"; known formats: ${known}`);
  }
  const input = config.inputs.find((i) => i.format === format.name);
  return { format, maxLineBytes: input?.maxLineBytes ?? format.maxLineBytes };
}

export interface LogReadOptions {
  readonly parser: LineParser;
  /** `gateway` (and `host` when known) stamped on each event. */
  readonly origin: EventOrigin;
  readonly maxLineBytes: number;
  readonly counts: ReadCounts;
  /** Events of a run of lines ending at byte `endOffset` (may be none); resolves when taken. */
  readonly accept: (events: CanonicalEvent[], endOffset: number) => Promise<void>;
  /** A line the parser rejected (1-based line number). */
  readonly onReject: (line: number, reason: string, detail: string) => void;
  /** Checked between chunks: stop reading when it returns true. */
  readonly stopped: () => boolean;
}

const CHUNK_BYTES = 64 * 1024;

/**
 * Reads a whole log file once (no tailing, no checkpoint), parses every line and hands the
 * events on chunk by chunk with the offset after the chunk's last complete line. A last line
 * without its newline counts as complete: the file is history, nobody is writing it.
 */
export async function readLogFile(path: string, options: LogReadOptions): Promise<void> {
  const { parser, counts } = options;
  const { gateway, host } = options.origin;
  const parseOptions = { maxLineBytes: options.maxLineBytes };
  const splitter = new LineSplitter({ maxLineBytes: options.maxLineBytes });
  const lines: SplitLine[] = [];
  let lineNumber = 0;
  const take = async (): Promise<void> => {
    const events: CanonicalEvent[] = [];
    let end = -1;
    for (const line of lines) {
      counts.lines++;
      lineNumber++;
      end = line.endOffset;
      if (line.kind === 'too_long') {
        reject(counts, 'line_too_long');
        options.onReject(
          lineNumber,
          'line_too_long',
          `line of ${line.byteLength} bytes exceeds maxLineBytes ${options.maxLineBytes}`,
        );
        continue;
      }
      const result = parser.parseLine(line.text, parseOptions);
      if (result.kind === 'event') {
        const event = result.event;
        event.gateway = gateway;
        if (host !== undefined) event.host = host;
        events.push(event);
      } else if (result.kind === 'skip') counts.skipped++;
      else {
        reject(counts, result.reason);
        options.onReject(lineNumber, result.reason, result.detail);
      }
    }
    lines.length = 0;
    counts.events += events.length;
    if (end >= 0) await options.accept(events, end);
  };
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    splitter.push(chunk, lines);
    await take();
    if (options.stopped()) return;
  }
  splitter.flushPartial(lines);
  await take();
}

function reject(counts: ReadCounts, reason: string): void {
  counts.rejected++;
  counts.rejectedByReason.set(reason, (counts.rejectedByReason.get(reason) ?? 0) + 1);
}

const SAMPLE_BYTES = 256 * 1024;

/**
 * The event-time range of log files from their first and last 256 KiB (logs are written in time
 * order): the earliest and latest `requestTimestamp` seen there, epoch ms; undefined if none.
 */
export async function sampleTimeRange(
  files: readonly string[],
  parser: LineParser,
  maxLineBytes: number,
): Promise<{ first: number; last: number } | undefined> {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const file of files) {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const ranges =
        size <= 2 * SAMPLE_BYTES
          ? [[0, size]]
          : [
              [0, SAMPLE_BYTES],
              [size - SAMPLE_BYTES, size],
            ];
      for (const [start, end] of ranges as [number, number][]) {
        const buffer = Buffer.alloc(end - start);
        await handle.read(buffer, 0, buffer.length, start);
        const texts = buffer.toString('utf8').split('\n');
        if (start > 0) texts.shift(); // cut mid-line
        for (const text of texts) {
          const result = parser.parseLine(text, { maxLineBytes });
          if (result.kind !== 'event') continue;
          const ms = Date.parse(result.event.requestTimestamp);
          if (Number.isNaN(ms)) continue;
          first = Math.min(first, ms);
          last = Math.max(last, ms);
        }
      }
    } finally {
      await handle.close();
    }
  }
  return Number.isFinite(first) ? { first, last } : undefined;
}
