import type { CanonicalEvent, EventType } from '../schema/event.js';

/** What a line parser is told besides the line. */
export interface ParseOptions {
  /** Longest accepted line, compared with `line.length` (the tailer enforces bytes). */
  readonly maxLineBytes?: number;
}

/**
 * A parsed event. A format may add its own read-only extras (WSO2 keeps the record's JSON text in
 * `source` so that its {@link FormatDefinition.eventJson} can skip a `JSON.stringify`); the core
 * reads only `event`.
 */
export interface ParsedEvent {
  readonly kind: 'event';
  readonly event: CanonicalEvent;
}

/**
 * One line's outcome, whatever the gateway: an event, a skip (not an analytics record: counted,
 * never reported) or a reject (an analytics record that cannot be used: dead-lettered with its
 * reason and a short detail). `Reject` and `Skip` are the format's own reason unions.
 */
export type ParseResult<Reject extends string = string, Skip extends string = string> =
  | ParsedEvent
  | { readonly kind: 'skip'; readonly reason: Skip }
  | { readonly kind: 'reject'; readonly reason: Reject; readonly detail: string };

/**
 * A pure line parser: one physical log line in, one event, skip or reject out. Never throws. Its
 * events have no root `gateway` or `host`: those are the reader's stamp (src/parsers/origin.ts);
 * a record's own keys of those names are kept under `properties`.
 */
export interface LineParser<Reject extends string = string, Skip extends string = string> {
  parseLine(line: string, options?: ParseOptions): ParseResult<Reject, Skip>;
}

/** The reject reason of a line longer than `maxLineBytes`, which the readers give before any parser. */
export const LINE_TOO_LONG = 'line_too_long';

/**
 * One input format (`inputs[].format`): everything the core needs to know about a gateway's log,
 * declared in the format's own folder (`src/parsers/<name>/index.ts`) and listed once in
 * `src/parsers/index.ts`. The core (readers, metrics, `gax parse`, dead-letter tools) reads only
 * this object, never a format's internals.
 */
export interface FormatDefinition<Reject extends string = string, Skip extends string = string> {
  /** The config name, `inputs[].format` (e.g. `wso2-apim`); also every event's `gateway.type`. */
  readonly name: string;
  /** One line for docs and `--help`, e.g. `WSO2 API Manager 4.x apim_metrics.log`. */
  readonly summary: string;
  readonly parser: LineParser<Reject, Skip>;
  /**
   * Every reject reason the parser gives (`gax_lines_rejected_total{reason}`, initialised at 0);
   * must include {@link LINE_TOO_LONG}, which the readers give for over-long lines.
   */
  readonly rejectReasons: readonly Reject[];
  /** Every skip reason the parser gives (`gax_lines_skipped_total{reason}`). */
  readonly skipReasons: readonly Skip[];
  /** The `eventType` values its events carry (docs/events.md defines them for every gateway). */
  readonly eventTypes: readonly EventType[];
  /** Default `maxLineBytes` of commands that read this format without a configured input (`gax parse`). */
  readonly maxLineBytes: number;
  /**
   * The glob of the rotated siblings of one configured active file (`apim_metrics.log` →
   * `apim_metrics-*.log` for log4j2), or undefined when the path names no file this gateway's
   * logger rotates by renaming. Called only for paths without glob characters in their last part.
   */
  rotatedSiblings(path: string): string | undefined;
  /**
   * A few real lines of this gateway's log, at least one per event type: examples in docs and
   * `gax parse --help`, and a contract test parses each into an event.
   */
  readonly samples: readonly string[];
  /**
   * Optional fast serialiser: the event of `parsed` (a result of this format's own parser) as one
   * line of JSON whose value is exactly the event, with `members` (`,"key":value…`: the reader's
   * `gateway` and `host`, default none) before its closing brace. Default: `JSON.stringify`.
   */
  readonly eventJson?: (parsed: ParsedEvent, members?: string) => string;
  /** `gax demo`'s sample log and simulated traffic (WSO2's: src/parsers/wso2-apim/sim/). */
  readonly demo?: FormatDemo;
}

/** What `gax demo` asks of a format's simulator. */
export interface DemoTraffic {
  /** The active log file; its directory exists and holds the format's sample log. */
  readonly path: string;
  readonly ratePerSecond: number;
  /** Ends the simulation; the promise of {@link FormatDemo.simulate} then resolves. */
  readonly signal: AbortSignal;
  /** Roll the file over the way the gateway's logger does after this many lines. */
  readonly rotateEveryLines: number;
  /** Rolled-over files kept. */
  readonly keepRotated: number;
}

/** Optional: what `gax demo` (`npm start`) needs to run on this format without a gateway. */
export interface FormatDemo {
  /** The active log file's name, e.g. `apim_metrics.log`. */
  readonly fileName: string;
  /** The demo input's `paths` glob in the same directory: the active and the rotated files. */
  readonly glob: string;
  /** The bundled sample log copied there first, relative to the package root (`examples/…`). */
  readonly sampleLog: string;
  /** Appends simulated live traffic until the signal; loads its code only when called. */
  simulate(traffic: DemoTraffic): Promise<void>;
}

/** Declares an input format; keeps its literal name (the `inputs[].format` union is built from it). */
export function defineFormat<const Name extends string, Reject extends string, Skip extends string>(
  format: FormatDefinition<Reject, Skip> & { readonly name: Name },
): FormatDefinition<Reject, Skip> & { readonly name: Name } {
  return format;
}
