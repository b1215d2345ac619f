import { join } from 'node:path';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine, verifyCounts } from '../lib/scenario.js';

/**
 * The least work a Node exporter of the gateway metrics does: the JSON.parse baseline's loop plus
 * prom-client counters and histograms for the prometheus plugin's nine metrics (same labels and
 * buckets), written plainly, and one `registry.metrics()` at the end.
 */
export const baselinePromClient = {
  name: 'baseline-prom-client',
  description:
    'The JSON.parse baseline plus the prometheus plugin’s metrics written plainly with prom-client, rendered once (`bench/baselines/prom-client.mjs`).',
  baseline: 'baseline-json-parse',
  command: (ctx) => ({
    command: process.execPath,
    args: [join(ctx.repoRoot, 'bench/baselines/prom-client.mjs'), ctx.file],
    captureStdout: true,
  }),
  verify: (stdout, ctx) => {
    const counts = lastJsonLine(stdout);
    if (counts?.requests !== counts?.events) return `counted ${String(counts?.requests)} requests`;
    return verifyCounts(stdout, ctx);
  },
  metrics: (stdout) => {
    const out = lastJsonLine(stdout);
    return {
      'baseline.apim_requests_total series': Number(out?.series),
      'baseline.body MB': Number(out?.bodyBytes) / 1e6,
      'baseline.render ms': Number(out?.renderMs),
    };
  },
  metricsTitle: 'prom-client baseline: series and the one render at the end',
} satisfies Scenario;
