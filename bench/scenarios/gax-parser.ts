import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine } from '../lib/scenario.js';

const PARSER = 'dist/src/parsers/wso2-apim/parse.js';

/** The parser alone (no output), to separate parsing from `gax parse`'s serialisation. */
export const gaxParser = {
  name: 'gax-parser',
  description: 'parseLine in process over the same split loop as the JSON.parse baseline; no output.',
  baseline: 'baseline-json-parse',
  unavailable: (ctx) =>
    existsSync(join(ctx.repoRoot, PARSER)) ? undefined : `${PARSER} not found (run \`npm run build\`)`,
  command: (ctx) => ({
    command: process.execPath,
    args: [join(ctx.repoRoot, 'bench/drivers/parser.mjs'), ctx.file],
    captureStdout: true,
  }),
  verify: (stdout, ctx) => {
    const counts = lastJsonLine(stdout);
    if (counts?.lines !== ctx.lines) return `counted ${String(counts?.lines)} lines, expected ${ctx.lines}`;
    if (ctx.events !== undefined && counts.events !== ctx.events) {
      return `parsed ${String(counts.events)} events, expected ${ctx.events}`;
    }
    return undefined;
  },
} satisfies Scenario;
