import { type ParseOptions, type ParseResult, parseLine } from './wso2-apim/parse.js';

/** A pure line parser: one physical log line in, one event, skip or reject out. Never throws. */
export interface LineParser {
  parseLine(line: string, options?: ParseOptions): ParseResult;
}

/** Every input format this build understands, by its config name (`inputs[].format`). */
export const parsers = {
  'wso2-apim': { parseLine },
} satisfies Record<string, LineParser>;

export type InputFormat = keyof typeof parsers;
