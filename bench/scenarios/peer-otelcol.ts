import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureOtelcol, otelcolBuild, otelcolUnavailable } from '../lib/otelcol.js';
import type { Scenario, ScenarioContext } from '../lib/scenario.js';
import { lastJsonLine } from '../lib/scenario.js';

/** Response events of a generated input (its `.meta.json`), or undefined for a `--file` input. */
function responses(ctx: ScenarioContext): number | undefined {
  const meta = `${ctx.file}.meta.json`;
  if (ctx.generator === undefined || !existsSync(meta)) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(meta, 'utf8'));
  const response = (parsed as { stats?: { response?: unknown } }).stats?.response;
  return typeof response === 'number' ? response : undefined;
}

/**
 * A real peer: the OpenTelemetry Collector (contrib filelog receiver with regex + JSON parsing →
 * signal_to_metrics connector → deltatocumulative processor → prometheus exporter) computing request
 * counts and a latency histogram from the same file, timed as `gax-run-prometheus` (spawn to every
 * request on /metrics). Built once with the Collector Builder and cached (`bench/lib/otelcol.ts`).
 * Issue #17's goal: gax at least 10× its lines/s.
 */
export const peerOtelcol = {
  name: 'peer-otelcol',
  description:
    'The OpenTelemetry Collector built from `bench/otelcol/builder-config.yaml` (cached under ~/.cache/gax-bench), config `bench/otelcol/config.yaml`: filelog (regex + json_parser) → signal_to_metrics (apim_requests_total, latency histogram) → deltatocumulative → prometheus on 127.0.0.1; from spawn until GET /metrics counts every event, then SIGTERM by PID (`bench/drivers/otelcol.mjs`).',
  baseline: 'gax-run-prometheus',
  compareWith: ['baseline-json-parse'],
  unavailable: (ctx) => otelcolUnavailable(ctx.repoRoot),
  // The build (first run only: minutes) is untimed.
  prepare: async (ctx) => {
    await ensureOtelcol(ctx.repoRoot, (m) => process.stderr.write(`[bench] peer-otelcol: ${m}\n`));
    return ctx;
  },
  command: (ctx) => ({
    command: process.execPath,
    args: [
      join(ctx.repoRoot, 'bench/drivers/otelcol.mjs'),
      otelcolBuild(ctx.repoRoot).binary,
      ctx.file,
      ...(ctx.events === undefined ? [] : ['--events', String(ctx.events)]),
    ],
    captureStdout: true,
  }),
  verify: (stdout, ctx) => {
    const out = lastJsonLine(stdout);
    if (ctx.events !== undefined && out?.requests !== ctx.events) {
      return `apim_requests_total sums to ${String(out?.requests)}, expected ${ctx.events}`;
    }
    const expected = responses(ctx);
    if (expected !== undefined && out?.latencyCount !== expected) {
      return `the latency histogram counts ${String(out?.latencyCount)}, expected ${expected} response events`;
    }
    return undefined;
  },
  metrics: (stdout) => {
    const out = lastJsonLine(stdout);
    const row = 'otelcol';
    return {
      [`${row}.seconds`]: Number(out?.seconds),
      [`${row}.stop s`]: Number(out?.stopSeconds),
      [`${row}.collector CPU s`]: Number(out?.collectorCpuSeconds),
      [`${row}.collector peak RSS MiB`]: Number(out?.collectorRssMiB),
      [`${row}.GETs`]: Number(out?.scrapes),
      [`${row}.GET median ms`]: Number(out?.getMedianMs),
      [`${row}.apim_requests_total series`]: Number(out?.series),
      [`${row}.histogram series`]: Number(out?.latencySeries),
    };
  },
  metricsTitle:
    'OpenTelemetry Collector (release: `dist.version` of bench/otelcol/builder-config.yaml): spawn → every event on /metrics; the collector’s own CPU and peak RSS (/proc, before SIGTERM)',
} satisfies Scenario;
