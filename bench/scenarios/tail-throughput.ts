import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine } from '../lib/scenario.js';

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
  verify: (stdout, ctx) => {
    const counts = lastJsonLine(stdout);
    // A --file input's unterminated last line is counted by the harness, but the tailer hands it over
    // only after `partialLineTimeoutMs` (5 s by default), which the 1 s idle rule does not wait for.
    const lines = counts?.lines;
    if (!(lines === ctx.lines || (ctx.events === undefined && lines === ctx.lines - 1))) {
      return `tailed ${String(lines)} lines, expected ${ctx.lines}`;
    }
    if (ctx.events !== undefined && counts?.events !== ctx.events) {
      return `delivered ${String(counts?.events)} events, expected ${ctx.events}`;
    }
    return undefined;
  },
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
