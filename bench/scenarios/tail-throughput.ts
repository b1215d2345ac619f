import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine, verifyTailed } from '../lib/scenario.js';

const DAEMON = 'dist/src/daemon.js';

/**
 * The real daemon tailing the whole file from its beginning into a counting plugin: the reading,
 * parsing, batching and delivery path of `gax run`, startup included. Against `cat` (the bytes) and
 * against `JSON.parse` (the least work of any parser of this format).
 */
export const tailThroughput = {
  name: 'tail-throughput',
  description:
    'The daemon in process tails FILE from its beginning (pollIntervalMs 50) into a counting plugin until every event arrived (`bench/drivers/tail.mjs`).',
  baseline: 'baseline-read',
  compareWith: ['baseline-json-parse'],
  unavailable: (ctx) =>
    existsSync(join(ctx.repoRoot, DAEMON)) ? undefined : `${DAEMON} not found (run \`npm run build\`)`,
  command: (ctx) => ({
    command: process.execPath,
    args: [
      join(ctx.repoRoot, 'bench/drivers/tail.mjs'),
      ctx.file,
      // Without a known event count (a --file input) the driver stops after 1 s without progress.
      ...(ctx.events === undefined ? [] : ['--events', String(ctx.events)]),
    ],
    captureStdout: true,
  }),
  verify: verifyTailed,
  metrics: (stdout) => {
    const counts = lastJsonLine(stdout);
    const seconds = Number(counts?.seconds);
    return {
      'in process.seconds': seconds,
      'in process.lines/s': Math.round(Number(counts?.lines) / seconds),
      'in process.stop s': Number(counts?.stopSeconds),
    };
  },
  metricsTitle: 'Tail throughput in process, without node startup (daemon start → last event)',
} satisfies Scenario;
