import { join } from 'node:path';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine } from '../lib/scenario.js';

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
  verify: (stdout, ctx) => {
    const counts = lastJsonLine(stdout);
    if (counts?.lines !== ctx.lines) return `counted ${String(counts?.lines)} lines, expected ${ctx.lines}`;
    if (ctx.events !== undefined && counts.events !== ctx.events) {
      return `parsed ${String(counts.events)} events, expected ${ctx.events}`;
    }
    return undefined;
  },
} satisfies Scenario;
