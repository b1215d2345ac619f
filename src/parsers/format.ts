import type { ParseOptions, ParseResult } from './wso2-apim/parse.js';

/** A pure line parser: one physical log line in, one event, skip or reject out. Never throws. */
export interface LineParser {
  parseLine(line: string, options?: ParseOptions): ParseResult;
}

/**
 * One input format (`inputs[].format`): everything the core needs to know about a gateway's log,
 * declared in the format's own folder (`src/parsers/<name>/index.ts`) and listed once in
 * `src/parsers/index.ts`.
 */
export interface FormatDefinition {
  /** The config name, `inputs[].format` (e.g. `wso2-apim`). */
  readonly name: string;
  /** One line for docs and `--help`, e.g. `WSO2 API Manager 4.x apim_metrics.log`. */
  readonly summary: string;
  readonly parser: LineParser;
}

/** Declares an input format; `satisfies` keeps its literal name. */
export function defineFormat<const F extends FormatDefinition>(format: F): F {
  return format;
}
