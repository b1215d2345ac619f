/**
 * What the daemon must make of a log's bytes, computed without the daemon: the bytes split into
 * lines as documented for the tailer (`src/sources/line-splitter.ts`), each line given to the pure
 * parser. The fuzz tests compare the daemon's outputs and counters with this.
 */
import { hostname } from 'node:os';
import { parseLine } from '../../src/parsers/wso2-apim/parse.js';

/** What `gax run` adds to each event of a wso2-apim input without `hostName`. */
const RUN_ORIGIN = { gateway: { type: 'wso2-apim' }, host: { name: hostname() } };

/** One physical line: bytes up to a `\n`, or the last bytes of a file without one. */
export interface PhysicalLine {
  /** Offset just past the line's `\n` (or the end of the data): the dead-letter `source.offset`. */
  readonly endOffset: number;
  /** Bytes without the `\n`, a trailing `\r` included (the limit counts it). */
  readonly byteLength: number;
  /** Decoded as the tailer does (UTF-8, invalid bytes as U+FFFD, one trailing `\r` removed), also when too long. */
  readonly text: string;
  /** What the tailer keeps of an over-long line: its first bytes, decoded. */
  readonly prefix: string;
}

const KEEP_PREFIX_BYTES = 1024;
const MAX_KEPT_LINE = 64 * 1024;

/** Splits `data` on `\n`; a last line without `\n` counts (the tailer hands it over when quiet). */
export function splitLines(data: Buffer, maxLineBytes: number): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  let start = 0;
  while (start < data.length) {
    const nl = data.indexOf(0x0a, start);
    const end = nl === -1 ? data.length : nl;
    const byteLength = end - start;
    const tooLong = byteLength > maxLineBytes;
    const textEnd = end > start && data[end - 1] === 0x0d ? end - 1 : end;
    lines.push({
      endOffset: nl === -1 ? end : nl + 1,
      byteLength,
      text: data.toString('utf8', start, textEnd),
      prefix: tooLong ? data.toString('utf8', start, start + Math.min(KEEP_PREFIX_BYTES, maxLineBytes)) : '',
    });
    start = end + 1;
  }
  return lines;
}

export interface Expected {
  lines: number;
  /** Each event as {@link canonicalJson}, in file order. */
  events: string[];
  eventTypes: Record<string, number>;
  rejects: Record<string, number>;
  skips: Record<string, number>;
  /** Each dead-letter record of stage `parse` as `offset reason detail line` (see {@link deadLetterKey}). */
  deadLetters: string[];
}

/** The outcome of every line of each file's bytes. */
export function expectedOutcome(files: readonly Buffer[], maxLineBytes: number): Expected {
  const expected: Expected = {
    lines: 0,
    events: [],
    eventTypes: {},
    rejects: {},
    skips: {},
    deadLetters: [],
  };
  for (const data of files) {
    for (const line of splitLines(data, maxLineBytes)) {
      expected.lines++;
      if (line.byteLength > maxLineBytes) {
        const detail = `line of ${line.byteLength} bytes exceeds maxLineBytes ${maxLineBytes}`;
        count(expected.rejects, 'line_too_long');
        expected.deadLetters.push(deadLetterKey(line.endOffset, 'line_too_long', detail, line.prefix));
        continue;
      }
      const result = parseLine(line.text, { maxLineBytes });
      switch (result.kind) {
        case 'event':
          // The daemon's reader stamps gateway.type and host.name (inputs[].hostName unset: this host).
          expected.events.push(serialisable({ ...result.event, ...RUN_ORIGIN }, line.text));
          count(expected.eventTypes, result.event.eventType);
          break;
        case 'skip':
          count(expected.skips, result.reason);
          break;
        case 'reject': {
          count(expected.rejects, result.reason);
          const kept = line.text.length > MAX_KEPT_LINE ? line.text.slice(0, MAX_KEPT_LINE) : line.text;
          expected.deadLetters.push(deadLetterKey(line.endOffset, result.reason, result.detail, kept));
          break;
        }
      }
    }
  }
  return expected;
}

/** The event's {@link canonicalJson}, or an error naming the line when it cannot be written. */
function serialisable(event: object, text: string): string {
  try {
    return canonicalJson(event);
  } catch (err) {
    throw new Error(
      `the parser made an event that cannot be serialised (${String(err)}): ${text.slice(0, 200)}`,
    );
  }
}

export function deadLetterKey(offset: number, reason: string, detail: string, line: string): string {
  return JSON.stringify([offset, reason, detail, line]);
}

/** JSON with object keys sorted: equal texts mean deep-equal JSON values (own keys only). */
export function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${members.join(',')}}`;
}

/** `a` and `b` as multisets: what only one side has (at most `limit` of each). */
export function multisetDiff(
  a: readonly string[],
  b: readonly string[],
  limit = 5,
): { onlyA: string[]; onlyB: string[] } {
  const counts = new Map<string, number>();
  for (const x of a) counts.set(x, (counts.get(x) ?? 0) + 1);
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) - 1);
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  for (const [x, n] of counts) {
    if (n > 0 && onlyA.length < limit) onlyA.push(x.slice(0, 300));
    if (n < 0 && onlyB.length < limit) onlyB.push(x.slice(0, 300));
  }
  return { onlyA, onlyB };
}

function count(target: Record<string, number>, key: string): void {
  target[key] = (target[key] ?? 0) + 1;
}
