import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine } from '../lib/scenario.js';

const DAEMON = 'dist/src/daemon.js';

/**
 * Levels as `bench/drivers/metrics-render.mjs` reads them: `SERIES[@LINES][:HEAP_MIB]`. Issue #8:
 * RSS with 1k, 10k and 100k series, render time at 10k and 100k, and RSS at 10k series after 1M
 * lines, with V8's default heap (sized from the host's memory) and with the 512 MiB old generation
 * docs/operations.md recommends where no memory limit applies. `--quick`: 1,000 series, and 1,000
 * over the quick input's 20,000 lines with that heap.
 */
const levels = (quick: boolean): readonly string[] =>
  quick ? ['1000', '1000@20000:512'] : ['1000', '10000', '100000', '10000@1000000', '10000@1000000:512'];
const scrapes = (quick: boolean): number => (quick ? 3 : 20);
const levelOf = (stdout: string, level: string): Record<string, number> | undefined =>
  lastJsonLine(stdout)?.[level] as Record<string, number> | undefined;
const MB = (bytes: number | undefined): number => Number(bytes) / 1e6;

/** `10000@1000000:512` → "10,000 series, 1,000,000 lines, 512 MiB heap". */
function rowName(level: string): string {
  const [, series, lines, heap] = /^(\d+)(?:@(\d+))?(?::(\d+))?$/.exec(level) ?? [];
  const n = (text: string | undefined): string => Number(text).toLocaleString('en-US');
  return [
    `${n(series)} series`,
    ...(lines === undefined ? [] : [`${n(lines)} lines`]),
    ...(heap === undefined ? [] : [`${n(heap)} MiB heap`]),
  ].join(', ');
}

/**
 * What a scrape costs at high cardinality, and what the daemon's memory comes to: the daemon with
 * the prometheus plugin fed a log with exactly that many apim_requests_total label sets (one child
 * process per level), then timed GET /metrics and the process's memory. Ignores the input file;
 * its wall time (log generation and ingest included) is not a throughput figure, the table is the
 * result.
 */
export const metricsRender = {
  name: 'metrics-render',
  description:
    'GET /metrics render time and RSS with 1,000, 10,000 and 100,000 apim_requests_total series, and with 10,000 after 1,000,000 lines: the daemon (prometheus plugin only) tails a generated log with that many label sets, then 20 consecutive GETs (`bench/drivers/metrics-render.mjs`).',
  readsInput: false,
  unavailable: (ctx) =>
    existsSync(join(ctx.repoRoot, DAEMON)) ? undefined : `${DAEMON} not found (run \`npm run build\`)`,
  command: (ctx) => ({
    command: process.execPath,
    args: [
      join(ctx.repoRoot, 'bench/drivers/metrics-render.mjs'),
      '--series',
      levels(ctx.quick).join(','),
      '--scrapes',
      String(scrapes(ctx.quick)),
    ],
    captureStdout: true,
  }),
  verify: (stdout, ctx) => {
    for (const level of levels(ctx.quick)) {
      const figures = levelOf(stdout, level);
      if (figures === undefined) return `no figures for ${level}`;
      const [series, lines] = level.split(/[@:]/).map(Number);
      if (figures.series !== series) return `${level}: apim_requests_total had ${figures.series} series`;
      if (level.includes('@') && figures.lines !== lines) return `${level}: ${figures.lines} lines`;
      if (figures.scrapes !== scrapes(ctx.quick)) return `${level}: ${figures.scrapes} scrapes`;
    }
    return undefined;
  },
  metrics: (stdout, ctx) => {
    const figures: Record<string, number> = {};
    for (const level of levels(ctx.quick)) {
      const f = levelOf(stdout, level);
      const row = rowName(level);
      figures[`${row}.all series`] = Number(f?.totalSeries);
      figures[`${row}.lines`] = Number(f?.lines);
      figures[`${row}.body MB`] = MB(f?.bodyBytes);
      figures[`${row}.GET median ms`] = Number(f?.getMedianMs);
      figures[`${row}.GET p95 ms`] = Number(f?.getP95Ms);
      figures[`${row}.ingest peak RSS MiB`] = Number(f?.ingestPeakMiB);
      figures[`${row}.RSS MiB`] = Number(f?.rssMiB);
      figures[`${row}.heap MiB`] = Number(f?.heapMiB);
      figures[`${row}.RSS after GETs MiB`] = Number(f?.rssAfterMiB);
      figures[`${row}.peak RSS MiB`] = Number(f?.maxRssMiB);
      figures[`${row}.ingest lines/s`] = Math.round(Number(f?.lines) / Number(f?.ingestSeconds));
    }
    return figures;
  },
  metricsTitle:
    '/metrics at high cardinality: GET time (in-process client); RSS at the end of ingest (peak), after ingest + GC (RSS, heap in use), after the GETs + GC, and peak',
} satisfies Scenario;
