import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { mtailVersion } from '../lib/mtail.js';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine } from '../lib/scenario.js';

const CLI = 'dist/src/cli.js';
const RATES = [0, 5000] as const;
const FIGURES = [
  ['probes', 'probes'],
  ['p50Ms', 'p50 ms'],
  ['p90Ms', 'p90 ms'],
  ['p99Ms', 'p99 ms'],
  ['maxMs', 'max ms'],
  ['meanMs', 'mean ms'],
  ['getP50Ms', 'GET p50 ms'],
] as const;

/** gax always; mtail too when it is installed (else its rows are missing from the table). */
const exporters = (): string[] => (mtailVersion() === undefined ? ['gax'] : ['gax', 'mtail']);
const load = (rate: number): string => (rate === 0 ? 'idle' : `${rate.toLocaleString('en-US')} lines/s`);
const phaseOf = (stdout: string, exporter: string, rate: number): Record<string, number> | undefined =>
  (lastJsonLine(stdout)?.[exporter] as Record<string, Record<string, number>> | undefined)?.[String(rate)];

/**
 * Delay from a line appended to the log to its count being visible on /metrics, for gax (`gax run`,
 * defaults, prometheus plugin only) and mtail (`bench/mtail/apim.mtail`, defaults), idle and at
 * 5,000 lines/s of background load. Runs for a fixed time and ignores the input file: the
 * percentiles are the result (issue #8: p99 ≤ 100 ms at 5,000 lines/s, never worse than mtail's).
 */
export const metricsLatency = {
  name: 'metrics-latency',
  description:
    'Append → visible on GET /metrics: probe lines appended one at a time to a followed log (idle, then with 5,000 generated lines/s), GET /metrics 5 ms after each response until the probe is counted; gax and mtail as child processes with their defaults (`bench/drivers/metrics-latency.mjs`).',
  readsInput: false,
  unavailable: (ctx) =>
    existsSync(join(ctx.repoRoot, CLI)) ? undefined : `${CLI} not found (run \`npm run build\`)`,
  command: (ctx) => ({
    command: process.execPath,
    args: [
      join(ctx.repoRoot, 'bench/drivers/metrics-latency.mjs'),
      '--exporters',
      exporters().join(','),
      '--rates',
      RATES.join(','),
      ...(ctx.quick ? ['--seconds', '3', '--warmup-ms', '500'] : []),
    ],
    captureStdout: true,
  }),
  verify: (stdout) => {
    for (const exporter of exporters()) {
      for (const rate of RATES) {
        const phase = phaseOf(stdout, exporter, rate);
        const name = `${exporter} ${load(rate)}`;
        if (phase === undefined) return `no figures for ${name}`;
        if (!(phase.probes! > 0)) return `${name}: no probe became visible`;
        const appended = phase.background! + phase.probes!;
        if (phase.counted !== appended) {
          return `${name}: apim_requests_total sums to ${phase.counted}, ${appended} lines were appended`;
        }
      }
    }
    return undefined;
  },
  metrics: (stdout) => {
    const figures: Record<string, number> = {};
    for (const exporter of exporters()) {
      for (const rate of RATES) {
        const phase = phaseOf(stdout, exporter, rate);
        for (const [key, column] of FIGURES) {
          figures[`${exporter} ${load(rate)}.${column}`] = Number(phase?.[key]);
        }
      }
    }
    return figures;
  },
  metricsTitle: 'Latency: line appended → counted on GET /metrics, ms (gax and mtail with their defaults)',
} satisfies Scenario;
