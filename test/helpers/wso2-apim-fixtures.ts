import { readFile } from 'node:fs/promises';
import { parseLine } from '../../src/parsers/wso2-apim/parse.js';

/** The WSO2 API-M fixture logs in test/fixtures/wso2-apim/ (samples copied from the reference + our own). */
export const WSO2_APIM_FIXTURES = [
  'SYNTHETIC_apim_metrics_fixtures.log',
  'docs-apim_datadog-guide_sample-response-line.log',
  'apk.log',
  'variants.log',
  'malformed.log',
] as const;

export interface ParsedFixture {
  readonly events: unknown[];
  readonly rejected: { line: number; reason: string; detail: string }[];
  readonly skipped: { line: number; reason: string }[];
}

/** What parseLine makes of a whole fixture file: events in order, every rejected and skipped line. */
export async function parseFixture(name: string): Promise<ParsedFixture> {
  const text = await readFile(new URL(`../fixtures/wso2-apim/${name}`, import.meta.url), 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop(); // a final newline ends the last line; it does not start one
  const parsed: ParsedFixture = { events: [], rejected: [], skipped: [] };
  for (const [index, line] of lines.entries()) {
    const result = parseLine(line);
    if (result.kind === 'event') parsed.events.push(result.event);
    else if (result.kind === 'reject')
      parsed.rejected.push({ line: index + 1, reason: result.reason, detail: result.detail });
    else parsed.skipped.push({ line: index + 1, reason: result.reason });
  }
  return parsed;
}
