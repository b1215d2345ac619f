import { type FormatDefinition, LINE_TOO_LONG } from './format.js';
import { wso2ApimFormat } from './wso2-apim/index.js';

/**
 * The composition root of input formats: every format this build reads, one line each. A new
 * format is its folder under `src/parsers/<name>/` plus one line here.
 */
export const formats = [wso2ApimFormat] as const;

export type InputFormat = (typeof formats)[number]['name'];

/** The format called `name`, or undefined when this build has none of that name. */
export function findFormat(name: string): FormatDefinition | undefined {
  return formats.find((f) => f.name === name);
}

/** The format of a validated `inputs[].format` (always found: the config schema is built from `formats`). */
export function formatOf(name: InputFormat): FormatDefinition {
  const format = findFormat(name);
  if (format === undefined) throw new Error(`no input format "${name}" in src/parsers/index.ts`);
  return format;
}

/** Every reject reason of every format (plus the readers' `line_too_long`), each once, in list order. */
export const REJECT_REASONS: readonly string[] = [
  ...new Set([LINE_TOO_LONG, ...formats.flatMap((f): readonly string[] => f.rejectReasons)]),
];
