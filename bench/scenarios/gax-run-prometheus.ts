import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine, verifyRequestsTailed } from '../lib/scenario.js';

const CLI = 'dist/src/cli.js';

/**
 * `gax run` as a user runs it, prometheus plugin only: from the spawn of the built CLI until GET
 * /metrics counts every event of the file, then SIGTERM by PID. Issue #17 asks for at least the
 * lines/s of the bare `JSON.parse` loop (a ratio ≤ 1.0) on 2 cores.
 */
export const gaxRunPrometheus = {
  name: 'gax-run-prometheus',
  description:
    '`gax run` (the built CLI, its own process; prometheus plugin only, maxEventAge 0s, server on 127.0.0.1 port 0, temp state dir) follows FILE from its beginning; from spawn until GET /metrics shows every event delivered and in apim_requests_total, then SIGTERM by PID (`bench/drivers/gax-run-plugins.mjs --plugins prometheus`).',
  baseline: 'baseline-json-parse',
  unavailable: (ctx) =>
    existsSync(join(ctx.repoRoot, CLI)) ? undefined : `${CLI} not found (run \`npm run build\`)`,
  command: (ctx) => ({
    command: process.execPath,
    args: [
      join(ctx.repoRoot, 'bench/drivers/gax-run-plugins.mjs'),
      ctx.file,
      '--plugins',
      'prometheus',
      ...(ctx.events === undefined ? [] : ['--events', String(ctx.events)]),
    ],
    captureStdout: true,
  }),
  verify: verifyRequestsTailed,
  metrics: (stdout) => {
    const out = lastJsonLine(stdout);
    return {
      'gax run.seconds': Number(out?.seconds),
      'gax run.listening s': Number(out?.listenSeconds),
      'gax run.stop s': Number(out?.stopSeconds),
      'gax run.daemon CPU s': Number(out?.daemonCpuSeconds),
      'gax run.daemon peak RSS MiB': Number(out?.daemonRssMiB),
      'gax run.GETs': Number(out?.scrapes),
      'gax run.GET median ms': Number(out?.getMedianMs),
      'gax run.apim_requests_total series': Number(out?.series),
      // Issue #17, part 3: every commit reaches the checkpoint at once (≤ ~40 writes/s), fsync ≤ 1/s.
      'gax run.checkpoint writes': Number(out?.checkpointWrites),
      'gax run.checkpoint writes/s':
        Number(out?.checkpointWrites) / (Number(out?.seconds) - Number(out?.listenSeconds)),
      'gax run.fsynced': Number(out?.checkpointFsyncs),
    };
  },
  metricsTitle:
    '`gax run`, prometheus only: spawn → every event on /metrics; the daemon’s own CPU and peak RSS (/proc, before SIGTERM)',
} satisfies Scenario;
