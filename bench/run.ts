/**
 * `npm run bench -- [--quick] [--lines N] [--runs N] [--only NAME[,NAME]] [--out DIR] [--data-dir DIR]
 *                   [--file PATH] [--seed N] [--apis N] [--variants] [--timeout SECONDS]
 *                   [--es-lines N] [--outage-minutes M] [--rate N]`
 * Runs every scenario of `bench/scenarios/index.ts` (or `--only` ones plus their baselines) as child
 * processes over one input file and writes `latest.md` and `latest.json` to `--out` (default
 * `bench/results`). Backends (Elasticsearch, the Datadog receiver) are started once when a selected
 * scenario needs them and stopped at the end, also on failure or SIGINT. See bench/README.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { GeneratorOptions } from '../src/parsers/wso2-apim/sim/generate.js';
import { describeFile, prepareGeneratedFile } from './lib/data-file.js';
import { medianMetrics } from './lib/figures.js';
import type { Meter, Sample } from './lib/measure.js';
import { detectMeter, killRunning, measureCommand, summarize } from './lib/measure.js';
import type { ResultRow, RunMeta } from './lib/report.js';
import { addRatios, machineMeta, okRow, toMarkdown } from './lib/report.js';
import type { BackendOptions, Scenario, ScenarioContext } from './lib/scenario.js';
import type { ServiceName, StartedServices } from './lib/services.js';
import { startServices } from './lib/services.js';
import { scenarios } from './scenarios/index.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

interface RunOptions {
  lines: number;
  runs: number;
  only: string[];
  outDir: string;
  dataDir: string;
  file: string | undefined;
  generator: GeneratorOptions;
  timeoutMs: number;
  quick: boolean;
  backends: BackendOptions;
}

function parseOptions(argv: string[]): RunOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      lines: { type: 'string' },
      runs: { type: 'string' },
      only: { type: 'string', multiple: true },
      out: { type: 'string' },
      'data-dir': { type: 'string' },
      file: { type: 'string' },
      seed: { type: 'string' },
      apis: { type: 'string' },
      variants: { type: 'boolean', default: false },
      timeout: { type: 'string' },
      'es-lines': { type: 'string' },
      'outage-minutes': { type: 'string' },
      rate: { type: 'string' },
    },
  });
  const num = (value: string | undefined, name: string, fallback: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value.replaceAll('_', ''));
    if (!(Number.isFinite(n) && n > 0)) throw new Error(`--${name} must be a positive number, got ${value}`);
    return n;
  };
  const quick = values.quick;
  return {
    lines: Math.round(num(values.lines, 'lines', quick ? 20_000 : 1_000_000)),
    runs: Math.round(num(values.runs, 'runs', quick ? 1 : 3)),
    only: (values.only ?? []).flatMap((s) => s.split(',')).filter((s) => s !== ''),
    outDir: resolve(values.out ?? join(REPO_ROOT, 'bench/results')),
    dataDir: resolve(values['data-dir'] ?? join(tmpdir(), 'gax-bench')),
    file: values.file === undefined ? undefined : resolve(values.file),
    generator: {
      seed: num(values.seed, 'seed', 1),
      apis: num(values.apis, 'apis', 50),
      variants: values.variants,
    },
    timeoutMs: num(values.timeout, 'timeout', quick ? 120 : 900) * 1000,
    quick,
    backends: {
      esLines: Math.round(num(values['es-lines'], 'es-lines', quick ? 2_000 : 200_000)),
      outageMinutes: num(values['outage-minutes'], 'outage-minutes', quick ? 0.25 : 10),
      rate: num(values.rate, 'rate', 200),
    },
  };
}

/** The `--only` scenarios plus, transitively, their baselines and `compareWith`s; registry order. */
function selectScenarios(only: readonly string[]): Scenario[] {
  if (only.length === 0) return [...scenarios];
  const byName = new Map(scenarios.map((s) => [s.name, s]));
  const wanted = new Set<string>();
  const add = (name: string): void => {
    const s = byName.get(name);
    if (s === undefined) throw new Error(`unknown scenario ${name}; known: ${[...byName.keys()].join(', ')}`);
    wanted.add(name);
    for (const other of [s.baseline, ...(s.compareWith ?? [])]) {
      if (other !== undefined && !wanted.has(other)) add(other);
    }
  };
  for (const name of only) add(name);
  return scenarios.filter((s) => wanted.has(s.name));
}

function problemOf(
  sample: Sample,
  scenario: Scenario,
  ctx: ScenarioContext,
  timeoutMs: number,
): string | undefined {
  if (sample.timedOut) return `timed out after ${timeoutMs / 1000} s`;
  if (sample.exitCode !== 0) {
    const lines = sample.stderrTail
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    const hint = lines.find((l) => /\b[A-Z]\w*Error\b|^error\b/i.test(l)) ?? lines.at(-1);
    return `exit code ${String(sample.exitCode)}${hint === undefined ? '' : `: ${hint.slice(0, 240)}`}`;
  }
  return scenario.verify?.(sample.stdout, ctx);
}

const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

/** Set on SIGINT/SIGTERM: no further run is started. */
let interrupted = false;

/** The backends the runnable selected scenarios need. */
function servicesNeeded(
  selected: readonly Scenario[],
  skipped: ReadonlyMap<string, string>,
): Set<ServiceName> {
  return new Set(selected.filter((s) => !skipped.has(s.name)).flatMap((s) => s.services ?? []));
}

async function measureAll(
  selected: readonly Scenario[],
  ctx: ScenarioContext,
  opts: RunOptions,
  meter: Meter,
  startBackends: (names: Set<ServiceName>) => Promise<StartedServices>,
): Promise<ResultRow[]> {
  const skipped = new Map<string, string>();
  for (const s of selected) {
    const reason = s.unavailable?.(ctx);
    if (reason !== undefined) skipped.set(s.name, reason);
  }
  const failed = new Map<string, string>();
  const { services, failures } = await startBackends(servicesNeeded(selected, skipped));
  ctx = { ...ctx, services };
  for (const s of selected) {
    const down = (s.services ?? []).find((name) => failures.has(name));
    if (down !== undefined) failed.set(s.name, `${down} did not start: ${failures.get(down)}`);
  }
  /** Each scenario's context of its last run (its input when `prepare` changes it). */
  const runCtx = new Map<string, ScenarioContext>();
  const samples = new Map<string, Sample[]>(selected.map((s) => [s.name, []]));
  const metrics = new Map<string, Record<string, number>[]>(selected.map((s) => [s.name, []]));
  // Interleaved (run 1 of every scenario, then run 2 …) so slow drift hits every scenario alike.
  for (let run = 1; run <= opts.runs; run++) {
    for (const s of selected) {
      if (skipped.has(s.name) || failed.has(s.name) || interrupted) continue;
      if (run > (s.maxRuns ?? opts.runs)) continue;
      let sctx = ctx;
      try {
        if (s.prepare !== undefined) sctx = await s.prepare(ctx);
      } catch (err) {
        failed.set(s.name, `prepare: ${(err as Error).message}`);
        log(`${s.name}: failed: prepare: ${(err as Error).message}`);
        continue;
      }
      runCtx.set(s.name, sctx);
      const sample = await measureCommand(
        { cwd: REPO_ROOT, timeoutMs: opts.timeoutMs, ...s.command(sctx) },
        meter,
      );
      const problem = problemOf(sample, s, sctx, opts.timeoutMs);
      if (problem !== undefined) {
        failed.set(s.name, problem);
        log(`${s.name}: failed: ${problem}`);
        continue;
      }
      samples.get(s.name)!.push(sample);
      if (s.metrics !== undefined) metrics.get(s.name)!.push(s.metrics(sample.stdout, sctx));
      log(`${s.name} run ${run}/${opts.runs}: ${sample.wallSeconds.toFixed(3)} s`);
    }
  }
  const rows = selected.map((s): ResultRow => {
    const base = { scenario: s.name, description: s.description, baseline: s.baseline };
    const reason = skipped.get(s.name) ?? failed.get(s.name);
    if (reason !== undefined) {
      return { ...base, status: skipped.has(s.name) ? 'skipped' : 'failed', reason, runs: 0, samples: [] };
    }
    const list = samples.get(s.name)!;
    const input = runCtx.get(s.name) ?? ctx;
    const row: ResultRow = okRow(
      base,
      summarize(list),
      list.map((x) => x.wallSeconds),
      s.readsInput === false
        ? undefined
        : { ...input, events: s.parsesEvents === false ? undefined : input.events },
    );
    if (s.readsInput !== false && input.file !== ctx.file) {
      row.input = { path: input.file, lines: input.lines, bytes: input.bytes };
    }
    const runMetrics = metrics.get(s.name)!;
    if (runMetrics.length === 0) return row;
    return { ...row, metrics: medianMetrics(runMetrics), runMetrics, metricsTitle: s.metricsTitle ?? s.name };
  });
  addRatios(rows, new Map(selected.map((s) => [s.name, s.compareWith ?? []])));
  return rows;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const selected = selectScenarios(opts.only);
  const meter = detectMeter();
  log(
    opts.file === undefined
      ? `generating/reusing ${opts.lines} lines in ${opts.dataDir}`
      : `using ${opts.file}`,
  );
  const input =
    opts.file === undefined
      ? await prepareGeneratedFile(opts.dataDir, opts.lines, opts.generator)
      : { ...(await describeFile(opts.file)), reused: true };
  log(
    `input ${input.path}: ${input.lines} lines, ${(input.bytes / 1e6).toFixed(1)} MB${input.reused ? ' (reused)' : ''}`,
  );
  const stats = input.stats;
  const ctx: ScenarioContext = {
    repoRoot: REPO_ROOT,
    file: input.path,
    lines: input.lines,
    bytes: input.bytes,
    events: stats === undefined ? undefined : stats.response + stats.faulty,
    quick: opts.quick,
    generator: opts.file === undefined ? opts.generator : undefined,
    dataDir: opts.dataDir,
    backends: opts.backends,
    services: {},
  };
  await measureCommand({ command: 'cat', args: [input.path] }, meter); // warm the page cache
  let services: StartedServices | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping the measured child and the backends`);
    interrupted = true;
    killRunning();
    void (services?.close() ?? Promise.resolve()).finally(() => {
      killRunning();
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  let rows: ResultRow[];
  try {
    rows = await measureAll(selected, ctx, opts, meter, async (names) => {
      services = await startServices(names, { quick: opts.quick, log });
      return services;
    });
  } finally {
    await services?.close();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  const meta: RunMeta = {
    date: new Date().toISOString(),
    ...machineMeta(),
    meter,
    runsPerScenario: opts.runs,
    file: { path: input.path, lines: input.lines, bytes: input.bytes, reused: input.reused },
    generator: stats === undefined ? undefined : { options: opts.generator, stats },
  };
  const markdown = toMarkdown(meta, rows);
  await mkdir(opts.outDir, { recursive: true });
  await writeFile(join(opts.outDir, 'latest.md'), markdown);
  await writeFile(join(opts.outDir, 'latest.json'), `${JSON.stringify({ meta, results: rows }, null, 2)}\n`);
  process.stdout.write(markdown);
  log(`wrote ${join(opts.outDir, 'latest.md')} and latest.json`);
  if (rows.some((r) => r.status === 'failed')) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
