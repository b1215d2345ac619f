import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../lib/scenario.js';
import { verifyCounts } from '../lib/scenario.js';

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
  verify: verifyCounts,
} satisfies Scenario;
