import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { firstLines } from '../lib/backend-inputs.js';
import type { Scenario, ScenarioContext } from '../lib/scenario.js';
import { lastJsonLine, verifyTailed } from '../lib/scenario.js';
import { newRunTag } from '../lib/services.js';
import type { PostgresService } from '../lib/summaries-services.js';

const DAEMON = 'dist/src/daemon.js';
const SUMMARIES = 'dist/plugins/summaries/plugin.js';

function postgresOf(ctx: ScenarioContext): PostgresService {
  const postgres = ctx.services.postgres;
  if (postgres === undefined) throw new Error('PostgreSQL was not started for this scenario');
  return postgres;
}

/**
 * The share of 30 days × 50 requests/s loaded by `summaries-range-query`: 1/30 (4.32 M events, 30
 * days at 1/30 of the rate), `--quick` 1/10,000; `GAX_BENCH_SUMMARIES_FRACTION` overrides.
 */
export function rangeFraction(quick: boolean): number {
  const env = Number(process.env.GAX_BENCH_SUMMARIES_FRACTION);
  if (Number.isFinite(env) && env > 0 && env <= 1) return env;
  return quick ? 1 / 10_000 : 1 / 30;
}

/** Issue 19 part 5: a 30-day per-API-per-day view from the raw events and from the summaries. */
export const summariesRangeQuery = {
  name: 'summaries-range-query',
  description:
    'One PostgreSQL database: `raw_events` (one row per event, index on ts) and the summaries plugin’s ApiVersionPerAppAgg_DAYS and APIM_ReqCountAgg_DAYS (its own aggregate + upsert per 50,000-event batch), loaded from the same generated traffic: 30 days, 50 requests/s at full rate, 50 APIs (Zipf), 20 applications, 1 gateway host, 5 % faulty; a sample of it (`GAX_BENCH_SUMMARIES_FRACTION`, default 1/30, --quick 1/10,000). Requests per API per day over the 30 days asked of each: rows read from EXPLAIN (ANALYZE, BUFFERS), median of 5 plain runs; the answers must agree cell by cell (`bench/lib/summaries-range-main.ts`).',
  services: ['postgres'],
  readsInput: false,
  parsesEvents: false,
  maxRuns: 1,
  prepare: async (ctx) => {
    await postgresOf(ctx).reset();
    return ctx;
  },
  command: (ctx) => ({
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      join(ctx.repoRoot, 'bench/lib/summaries-range-main.ts'),
      '--url',
      postgresOf(ctx).url,
      '--fraction',
      String(rangeFraction(ctx.quick)),
      '--runs',
      ctx.quick ? '3' : '5',
    ],
    captureStdout: true,
  }),
  verify: (stdout) => {
    const out = lastJsonLine(stdout) as RangeOut | undefined;
    if (out === undefined) return 'no figures printed';
    if (!out.answersAgree) return 'the summary tables’ answer differs from the raw events’';
    if (out.raw.rows !== out.sampleEvents)
      return `raw scan read ${out.raw.rows} rows, ${out.sampleEvents} loaded`;
    if (!(out.versionPerApp.rows < out.raw.rows)) return 'the summary read no fewer rows than the raw events';
    if (out.versionPerApp.rows > out.fullRate.summaryRowsBound)
      return 'more summary rows than days × APIs × apps';
    if (out.fullRate.rowRatio < 1000)
      return `full-rate row ratio ${out.fullRate.rowRatio.toFixed(0)} < 1,000`;
    return undefined;
  },
  metrics: (stdout) => {
    const out = lastJsonLine(stdout) as unknown as RangeOut;
    const query = (q: RangeOut['raw']) => ({
      'rows read': q.rows,
      pages: q.pages,
      'median ms': q.ms,
      'explain ms': q.explainMs,
    });
    const rows = (prefix: string, values: Record<string, number>) =>
      Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}.${k}`, v]));
    return {
      ...rows('sample: raw_events', query(out.raw)),
      ...rows('sample: ApiVersionPerAppAgg_DAYS', query(out.versionPerApp)),
      ...rows('sample: APIM_ReqCountAgg_DAYS', query(out.reqCount)),
      ...rows('sample: raw ÷ ApiVersionPerAppAgg_DAYS', {
        'rows read': out.sampleRowRatio,
        'median ms': out.timeRatio,
      }),
      ...rows('full rate: raw_events (rows ÷ fraction)', {
        'rows read': out.fullRate.rawRows,
        'median ms': out.fullRate.rawMsEstimate,
      }),
      ...rows('full rate: summary (≤ days × APIs × apps)', { 'rows read': out.fullRate.summaryRowsBound }),
      ...rows('full rate: raw ÷ summary', { 'rows read': out.fullRate.rowRatio }),
      ...rows('load', {
        'raw s': out.loadSeconds.raw,
        'summaries s': out.loadSeconds.summaries,
        events: out.sampleEvents,
      }),
    };
  },
  metricsTitle:
    'Requests per API per day over 30 days (50 req/s at full rate, 50 APIs, 20 applications): raw events vs the summaries’ _DAYS tables, same database and run',
} satisfies Scenario;

interface RangeOut {
  sampleEvents: number;
  answersAgree: boolean;
  sampleRowRatio: number;
  timeRatio: number;
  loadSeconds: { raw: number; summaries: number };
  raw: { rows: number; pages: number; ms: number; explainMs: number };
  versionPerApp: RangeOut['raw'];
  reqCount: RangeOut['raw'];
  fullRate: { rawRows: number; summaryRowsBound: number; rowRatio: number; rawMsEstimate: number };
}

function needsBuild(ctx: ScenarioContext): string | undefined {
  for (const path of [DAEMON, SUMMARIES])
    if (!existsSync(join(ctx.repoRoot, path))) return `${path} not found (run \`npm run build\`)`;
  return undefined;
}

/** The first `--es-lines` lines, a fresh run tag (the summaries' schema). */
async function summariesRun(ctx: ScenarioContext): Promise<ScenarioContext> {
  if (ctx.services.postgres !== undefined) await ctx.services.postgres.reset();
  return { ...ctx, ...(await firstLines(ctx, ctx.backends.esLines)), runTag: newRunTag() };
}

function driver(ctx: ScenarioContext, plugin: 'file' | 'summaries'): string[] {
  const args = [join(ctx.repoRoot, 'bench/drivers/summaries.mjs'), ctx.file, '--plugin', plugin];
  if (plugin === 'summaries')
    args.push('--url', postgresOf(ctx).url, '--schema', ctx.runTag!.replaceAll('-', '_'));
  return [...args, '--events', String(ctx.events)];
}

function inProcess(stdout: string, ctx: ScenarioContext): Record<string, number> {
  const out = lastJsonLine(stdout);
  const seconds = Number(out?.seconds);
  return {
    'in process.seconds': seconds,
    'in process.events/s': Math.round(Number(out?.events) / seconds),
    'in process.cpu ms/1k events': (Number(out?.cpuMs) * 1000) / Number(ctx.events),
  };
}

/** The file plugin alone on the same lines: the baseline of `pipeline-summaries`. */
export const pipelineSummariesFile = {
  name: 'pipeline-summaries-file',
  description:
    'The daemon in process, file plugin only (NDJSON into a temp dir), tails the first `--es-lines` lines of the input until every event is delivered; then the file must hold one line per event (`bench/drivers/summaries.mjs --plugin file`).',
  unavailable: needsBuild,
  prepare: summariesRun,
  command: (ctx) => ({ command: process.execPath, args: driver(ctx, 'file'), captureStdout: true }),
  verify: (stdout, ctx) => {
    const out = lastJsonLine(stdout);
    if (out?.deadLettered !== 0) return `${String(out?.deadLettered)} events dead-lettered`;
    if (out.fileLines !== ctx.events)
      return `the file holds ${String(out.fileLines)} lines, expected ${String(ctx.events)}`;
    return verifyTailed(stdout, ctx);
  },
  metrics: inProcess,
  metricsTitle: 'File plugin in process (daemon start → every event delivered; node startup excluded)',
} satisfies Scenario;

/** The summaries plugin alone on the same lines, into the harness's PostgreSQL on loopback. */
export const pipelineSummaries = {
  name: 'pipeline-summaries',
  description:
    'The daemon in process, summaries plugin only (defaults: all 11 tables × MINUTES/HOURS/DAYS/MONTHS, one transaction per batch with its input positions, 1 h dedupe window) into a fresh schema of the harness’s PostgreSQL on 127.0.0.1, tails the same lines until every event is delivered; then the _DAYS tables must count every event (`bench/drivers/summaries.mjs --plugin summaries`).',
  baseline: 'pipeline-summaries-file',
  services: ['postgres'],
  unavailable: needsBuild,
  prepare: summariesRun,
  command: (ctx) => ({ command: process.execPath, args: driver(ctx, 'summaries'), captureStdout: true }),
  verify: (stdout, ctx) => {
    const out = lastJsonLine(stdout);
    if (out?.deadLettered !== 0) return `${String(out?.deadLettered)} events dead-lettered`;
    if (out.counted !== ctx.events)
      return `the tables count ${String(out.counted)} events, expected ${String(ctx.events)}`;
    return verifyTailed(stdout, ctx);
  },
  metrics: (stdout, ctx) => ({
    ...inProcess(stdout, ctx),
    'postgres.cpu ms/1k events': (postgresOf(ctx).cpuSeconds() * 1e6) / Number(ctx.events),
  }),
  metricsTitle:
    'Summaries plugin in process (daemon start → every event delivered; node startup excluded); the PostgreSQL server’s CPU',
} satisfies Scenario;
