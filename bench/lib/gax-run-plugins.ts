/**
 * `gax run` (the built CLI, its own process) with a chosen set of the four plugins, over one input
 * that every plugin accepts: the first `--es-lines` lines of the input regenerated with recent
 * times (Datadog refuses points older than an hour). `pipeline-all` enables all four; the same
 * scenario with one plugin alone gives what that plugin costs on the same input and backends
 * (`bench/drivers/gax-run-plugins.mjs`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { datadogOf, elasticsearchOf } from './backend-inputs.js';
import { writeGeneratedFile } from './data-file.js';
import type { Scenario, ScenarioContext } from './scenario.js';
import { lastJsonLine, verifyTailed } from './scenario.js';
import type { ServiceName } from './services.js';
import { elasticsearchUnavailable, newRunTag } from './services.js';

export type PluginName = 'file' | 'prometheus' | 'elasticsearch' | 'datadog';

const CLI = 'dist/src/cli.js';
/** Datadog takes points up to 1 h old; the generated traffic spans at most this, ending 1 min ago. */
const RECENT_SPAN_S = 30 * 60;

/** The backends a plugin set needs from the harness. */
function servicesOf(plugins: readonly PluginName[]): ServiceName[] {
  return plugins.flatMap((p): ServiceName[] => (p === 'elasticsearch' || p === 'datadog' ? [p] : []));
}

/**
 * Before each run (untimed): the first `--es-lines` lines (all when the input has fewer)
 * regenerated with the input's options and recent times (at least 100 events/s, at most 30
 * minutes of traffic, the last event a minute old: only the times differ from the input), an empty
 * cluster and receiver as the plugins need, and a fresh `runTag` (index prefix, `env` tag).
 */
async function recentRun(ctx: ScenarioContext, plugins: readonly PluginName[]): Promise<ScenarioContext> {
  if (ctx.generator === undefined) throw new Error('needs a generated input');
  if (plugins.includes('elasticsearch')) await elasticsearchOf(ctx).reset();
  if (plugins.includes('datadog')) datadogOf(ctx).reset();
  const lines = Math.min(ctx.backends.esLines, ctx.lines);
  const eventsPerSecond = Math.max(100, lines / RECENT_SPAN_S);
  const startTime = Date.now() - 60_000 - (lines / eventsPerSecond) * 1000;
  const name = `apim_metrics-s${ctx.generator.seed ?? 1}-${lines}${ctx.generator.variants === true ? '-variants' : ''}-recent-plugins.log`;
  const path = join(ctx.dataDir, name);
  const written = await writeGeneratedFile(path, lines, { ...ctx.generator, startTime, eventsPerSecond });
  const stats = written.stats!;
  return {
    ...ctx,
    file: path,
    lines,
    bytes: written.bytes,
    events: stats.response + stats.faulty,
    runTag: newRunTag(),
  };
}

/** What is wrong with a run's counts, per plugin and backend, or undefined. */
function verifyRun(stdout: string, ctx: ScenarioContext, plugins: readonly PluginName[]): string | undefined {
  const out = lastJsonLine(stdout);
  if (out?.deadLettered !== 0) return `${String(out?.deadLettered)} events dead-lettered`;
  const delivered = (out.delivered ?? {}) as Record<string, number>;
  const read = (out.linesRead ?? {}) as Record<string, number>;
  for (const p of plugins) {
    if (delivered[p] !== ctx.events)
      return `${p}: ${String(delivered[p])} delivered, expected ${String(ctx.events)}`;
    if (read[p] !== ctx.lines) return `${p}: ${String(read[p])} lines read, expected ${ctx.lines}`;
  }
  if (plugins.includes('prometheus') && out.requests !== ctx.events) {
    return `apim_requests_total sums to ${String(out.requests)}, expected ${String(ctx.events)}`;
  }
  if (plugins.includes('elasticsearch') && out.indexed !== ctx.events) {
    return `_count is ${String(out.indexed)}, expected ${String(ctx.events)}`;
  }
  if (plugins.includes('file') && out.fileLines !== ctx.events) {
    return `the file plugin wrote ${String(out.fileLines)} lines, expected ${String(ctx.events)}`;
  }
  if (plugins.includes('datadog')) {
    const accepted = datadogOf(ctx).accepted(ctx.runTag!);
    if (accepted.withProblems > 0 || accepted.refused > 0) {
      return `receiver: ${accepted.withProblems} requests with problems, ${accepted.refused} refused`;
    }
    if (accepted.events !== ctx.events) {
      return `receiver holds apim.requests totals of ${accepted.events}, expected ${String(ctx.events)}`;
    }
  }
  return verifyTailed(stdout, ctx);
}

/** The driver's figures: the daemon's own CPU per 1,000 events, and when each plugin was done. */
function runMetrics(
  stdout: string,
  ctx: ScenarioContext,
  plugins: readonly PluginName[],
): Record<string, number> {
  const out = lastJsonLine(stdout);
  const cpu = Number(out?.daemonCpuSeconds);
  const done = (out?.doneSeconds ?? {}) as Record<string, number>;
  const detaches = (out?.detaches ?? {}) as Record<string, number>;
  const figures: Record<string, number> = {
    'gax run.seconds': Number(out?.seconds),
    'gax run.listening s': Number(out?.listenSeconds),
    'gax run.stop s': Number(out?.stopSeconds),
    'gax run.daemon CPU s': cpu,
    'gax run.daemon CPU ms/1k ev': (cpu * 1000) / ((ctx.events ?? Number.NaN) / 1000),
    'gax run.daemon peak RSS MiB': Number(out?.daemonRssMiB),
    'gax run.GETs': Number(out?.scrapes),
  };
  for (const p of plugins) figures[`gax run.${p} done s`] = Number(done[p]);
  // An instance whose lane stayed full for `pipeline.detachAfterMs` left the shared reader and
  // read (and parsed) on its own until it caught up: the sharing did not hold for it meanwhile.
  if (plugins.length > 1) for (const p of plugins) figures[`gax run.${p} detaches`] = Number(detaches[p]);
  return figures;
}

/** A `gax run` scenario over the recent input with `plugins` enabled (every other plugin off). */
export function gaxRunPlugins(
  spec: Pick<Scenario, 'name' | 'description' | 'baseline' | 'compareWith' | 'metricsTitle'> & {
    plugins: readonly PluginName[];
  },
): Scenario {
  const { plugins, ...named } = spec;
  const services = servicesOf(plugins);
  return {
    ...named,
    services,
    unavailable: (ctx) => {
      if (!existsSync(join(ctx.repoRoot, CLI))) return `${CLI} not found (run \`npm run build\`)`;
      if (ctx.generator === undefined) {
        return 'needs a generated input (Datadog takes events of the last hour only), not --file';
      }
      return services.includes('elasticsearch') ? elasticsearchUnavailable() : undefined;
    },
    prepare: (ctx) => recentRun(ctx, plugins),
    command: (ctx) => {
      const args = [
        join(ctx.repoRoot, 'bench/drivers/gax-run-plugins.mjs'),
        ctx.file,
        '--plugins',
        plugins.join(','),
        '--events',
        String(ctx.events),
      ];
      if (plugins.includes('elasticsearch')) {
        args.push('--node', elasticsearchOf(ctx).url, '--prefix', ctx.runTag!);
      }
      if (plugins.includes('datadog')) {
        const dd = datadogOf(ctx);
        args.push('--dd-url', dd.url, '--dd-api-key', dd.apiKey, '--env', ctx.runTag!);
      }
      return { command: process.execPath, args, captureStdout: true };
    },
    verify: (stdout, ctx) => verifyRun(stdout, ctx, plugins),
    metrics: (stdout, ctx) => runMetrics(stdout, ctx, plugins),
  };
}
