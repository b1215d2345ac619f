import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine } from '../lib/scenario.js';

const DAEMON = 'dist/src/daemon.js';
const LEVELS = [10_000, 100_000] as const;

const scrapes = (quick: boolean): number => (quick ? 3 : 20);
const levelOf = (stdout: string, series: number): Record<string, number> | undefined =>
  lastJsonLine(stdout)?.[String(series)] as Record<string, number> | undefined;
const MB = (bytes: number | undefined): number => Number(bytes) / 1e6;

/**
 * What a scrape costs at high cardinality: the daemon with the prometheus plugin fed a log with
 * exactly 10,000 and 100,000 apim_requests_total label sets (one child process each), then timed
 * GET /metrics and the process's memory. Ignores the input file; its wall time (log generation and
 * ingest included) is not a throughput figure, the table is the result.
 */
export const metricsRender = {
  name: 'metrics-render',
  description:
    'GET /metrics render time and RSS with 10,000 and 100,000 apim_requests_total series: the daemon (prometheus plugin only) tails a generated log with that many label sets, then 20 consecutive GETs (`bench/drivers/metrics-render.mjs`).',
  readsInput: false,
  unavailable: (ctx) =>
    existsSync(join(ctx.repoRoot, DAEMON)) ? undefined : `${DAEMON} not found (run \`npm run build\`)`,
  command: (ctx) => ({
    command: process.execPath,
    args: [
      join(ctx.repoRoot, 'bench/drivers/metrics-render.mjs'),
      '--series',
      LEVELS.join(','),
      '--scrapes',
      String(scrapes(ctx.quick)),
    ],
    captureStdout: true,
  }),
  verify: (stdout, ctx) => {
    for (const series of LEVELS) {
      const level = levelOf(stdout, series);
      if (level === undefined) return `no figures for ${series} series`;
      if (level.series !== series) return `apim_requests_total had ${level.series} series, not ${series}`;
      if (level.scrapes !== scrapes(ctx.quick)) return `${series} series: ${level.scrapes} scrapes`;
    }
    return undefined;
  },
  metrics: (stdout) => {
    const figures: Record<string, number> = {};
    for (const series of LEVELS) {
      const level = levelOf(stdout, series);
      const row = `${series.toLocaleString('en-US')} series`;
      figures[`${row}.all series`] = Number(level?.totalSeries);
      figures[`${row}.body MB`] = MB(level?.bodyBytes);
      figures[`${row}.GET median ms`] = Number(level?.getMedianMs);
      figures[`${row}.GET p95 ms`] = Number(level?.getP95Ms);
      figures[`${row}.RSS MiB`] = Number(level?.rssMiB);
      figures[`${row}.heap MiB`] = Number(level?.heapMiB);
      figures[`${row}.RSS after GETs MiB`] = Number(level?.rssAfterMiB);
      figures[`${row}.peak RSS MiB`] = Number(level?.maxRssMiB);
      figures[`${row}.ingest lines/s`] = Math.round(Number(level?.lines) / Number(level?.ingestSeconds));
    }
    return figures;
  },
  metricsTitle:
    '/metrics at high cardinality: GET time (in-process client), memory after ingest + GC (RSS, heap), after the GETs + GC, and peak',
} satisfies Scenario;
