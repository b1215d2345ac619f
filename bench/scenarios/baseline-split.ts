import { join } from 'node:path';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine } from '../lib/scenario.js';

export const baselineSplit = {
  name: 'baseline-split',
  description: 'Node streams the file as UTF-8 and splits it into lines (`bench/baselines/split.mjs`).',
  baseline: 'baseline-read',
  parsesEvents: false,
  command: (ctx) => ({
    command: process.execPath,
    args: [join(ctx.repoRoot, 'bench/baselines/split.mjs'), ctx.file],
    captureStdout: true,
  }),
  verify: (stdout, ctx) => {
    const lines = lastJsonLine(stdout)?.lines;
    return lines === ctx.lines ? undefined : `counted ${String(lines)} lines, expected ${ctx.lines}`;
  },
} satisfies Scenario;
