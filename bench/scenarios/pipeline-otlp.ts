import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { otlpOf, otlpRun } from '../lib/backend-inputs.js';
import { otelcolUnavailable } from '../lib/otelcol.js';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine, verifyTailed } from '../lib/scenario.js';
import { collectorMetrics } from './baseline-otlp-logs.js';

const DAEMON = 'dist/src/daemon.js';

/**
 * The daemon in process with only the OTLP plugin (metrics and logs), tailing the first
 * `--es-lines` lines of the input into a fresh collector until every event is acknowledged; the
 * collector must hold one log record per event and `apim.requests` totals equal to the events.
 */
export const pipelineOtlp = {
  name: 'pipeline-otlp',
  description:
    'The daemon in process, otlp plugin only (metrics and logs, protobuf, gzip: the defaults; `exportIntervalMs` 1000), tails FILE from its beginning into a fresh OpenTelemetry Collector until every event is acknowledged; then the collector’s log records and `apim.requests` totals must equal the events (`bench/drivers/otlp.mjs`).',
  baseline: 'baseline-otlp-logs',
  services: ['otelcol-receiver'],
  unavailable: (ctx) =>
    existsSync(join(ctx.repoRoot, DAEMON))
      ? otelcolUnavailable(ctx.repoRoot)
      : `${DAEMON} not found (run \`npm run build\`)`,
  prepare: otlpRun,
  command: (ctx) => ({
    command: process.execPath,
    args: [
      join(ctx.repoRoot, 'bench/drivers/otlp.mjs'),
      ctx.file,
      '--endpoint',
      otlpOf(ctx).endpoint,
      ...(ctx.events === undefined ? [] : ['--events', String(ctx.events)]),
    ],
    captureStdout: true,
  }),
  verify: (stdout, ctx) => {
    const out = lastJsonLine(stdout);
    if (out?.deadLettered !== 0) return `${String(out?.deadLettered)} events dead-lettered`;
    const { logRecords, requests } = otlpOf(ctx).received();
    if (logRecords !== out.events || requests !== out.events) {
      return `the collector wrote ${logRecords} log records and apim.requests totals of ${requests}, ${String(out.events)} events delivered`;
    }
    return verifyTailed(stdout, ctx);
  },
  metrics: (stdout, ctx) => {
    const out = lastJsonLine(stdout);
    const seconds = Number(out?.seconds);
    return {
      'in process.seconds': seconds,
      'in process.events/s': Math.round(Number(out?.events) / seconds),
      'in process.last line read s': Number(out?.readSeconds),
      'in process.stop s': Number(out?.stopSeconds),
      ...collectorMetrics(ctx),
    };
  },
  metricsTitle:
    'OTLP pipeline in process, without node startup (daemon start → last event acknowledged); the collector’s CPU',
} satisfies Scenario;
