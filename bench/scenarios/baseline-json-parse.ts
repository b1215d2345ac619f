import { join } from 'node:path';
import type { Scenario } from '../lib/scenario.js';
import { verifyCounts } from '../lib/scenario.js';

export const baselineJsonParse = {
  name: 'baseline-json-parse',
  description:
    'Node streams, splits, finds each metric line’s JSON and `JSON.parse`s it (`bench/baselines/json-parse.mjs`).',
  baseline: 'baseline-split',
  command: (ctx) => ({
    command: process.execPath,
    args: [join(ctx.repoRoot, 'bench/baselines/json-parse.mjs'), ctx.file],
    captureStdout: true,
  }),
  verify: verifyCounts,
} satisfies Scenario;
