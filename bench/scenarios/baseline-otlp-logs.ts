import { join } from 'node:path';
import { otlpOf, otlpRun } from '../lib/backend-inputs.js';
import { otelcolUnavailable } from '../lib/otelcol.js';
import type { Scenario, ScenarioContext } from '../lib/scenario.js';
import { lastJsonLine, verifyCounts } from '../lib/scenario.js';

/** The collector's CPU during the run (its own process: not in the row's CPU). */
export function collectorMetrics(ctx: ScenarioContext): Record<string, number> {
  const cpu = otlpOf(ctx).cpuSeconds();
  return {
    'collector.CPU s': Number(cpu.toFixed(2)),
    ...(ctx.events === undefined
      ? {}
      : { 'collector.CPU ms/1k ev': Number(((cpu * 1e6) / ctx.events).toFixed(1)) }),
  };
}

/**
 * The plainest OTLP/HTTP log shipper of the same events into the same kind of collector: split,
 * JSON.parse, one log record per event through the plugin's serializer. What `pipeline-otlp` is
 * divided by.
 */
export const baselineOtlpLogs = {
  name: 'baseline-otlp-logs',
  description:
    'A plain OTLP log shipper: split, JSON.parse, one log record per event (the plugin’s fields) serialised by `ProtobufLogsSerializer`, 1,000 per request, gzip, 1 in flight, POSTed to a fresh OpenTelemetry Collector (otlp receiver → file); then the collector’s log records must equal the events (`bench/baselines/otlp-logs.mjs`).',
  services: ['otelcol-receiver'],
  unavailable: (ctx) => otelcolUnavailable(ctx.repoRoot),
  prepare: otlpRun,
  command: (ctx) => ({
    command: process.execPath,
    args: [join(ctx.repoRoot, 'bench/baselines/otlp-logs.mjs'), ctx.file, '--endpoint', otlpOf(ctx).endpoint],
    captureStdout: true,
  }),
  verify: (stdout, ctx) => {
    const out = lastJsonLine(stdout);
    const { logRecords } = otlpOf(ctx).received();
    if (logRecords !== out?.events) {
      return `the collector wrote ${logRecords} log records, expected ${String(out?.events)}`;
    }
    return verifyCounts(stdout, ctx);
  },
  metrics: (_stdout, ctx) => collectorMetrics(ctx),
  metricsTitle:
    'OpenTelemetry Collector during the plain log shipper (its own process: not in the row’s CPU)',
} satisfies Scenario;
