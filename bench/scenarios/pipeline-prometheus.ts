import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine, verifyRequestsTailed } from '../lib/scenario.js';

const DAEMON = 'dist/src/daemon.js';

/**
 * The daemon in process with only the prometheus plugin (and its HTTP server) tailing the whole file:
 * `gax run`'s path into /metrics. Against the plain prom-client exporter (issue #8: at least 70 % of
 * its lines/s, i.e. a ratio ≤ 1.43), against JSON.parse alone and against mtail (at least 4× its
 * lines/s: a ratio ≤ 0.25).
 */
export const pipelinePrometheus = {
  name: 'pipeline-prometheus',
  description:
    'The daemon in process, prometheus plugin only (maxEventAge 0s) and HTTP server on, tails FILE from its beginning until every event is delivered, then one GET /metrics confirms the count (`bench/drivers/prometheus.mjs`).',
  baseline: 'baseline-prom-client',
  compareWith: ['baseline-json-parse', 'mtail-oneshot'],
  unavailable: (ctx) =>
    existsSync(join(ctx.repoRoot, DAEMON)) ? undefined : `${DAEMON} not found (run \`npm run build\`)`,
  command: (ctx) => ({
    command: process.execPath,
    args: [
      join(ctx.repoRoot, 'bench/drivers/prometheus.mjs'),
      ctx.file,
      ...(ctx.events === undefined ? [] : ['--events', String(ctx.events)]),
    ],
    captureStdout: true,
  }),
  verify: verifyRequestsTailed,
  metrics: (stdout) => {
    const out = lastJsonLine(stdout);
    const seconds = Number(out?.seconds);
    return {
      'in process.seconds': seconds,
      'in process.lines/s': Math.round(Number(out?.lines) / seconds),
      'in process.apim_requests_total series': Number(out?.series),
      'in process.final GET /metrics ms': Number(out?.scrapeMs),
      'in process.body MB': Number(out?.bodyBytes) / 1e6,
    };
  },
  metricsTitle: 'Prometheus pipeline in process, without node startup (daemon start → last event)',
} satisfies Scenario;
