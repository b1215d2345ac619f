/**
 * `npm run bench -- [--quick] [--lines N] [--runs N] [--only NAME[,NAME]] [--out DIR] [--data-dir DIR]
 *                   [--file PATH] [--seed N] [--apis N] [--variants] [--timeout SECONDS]`
 * Runs every scenario of `bench/scenarios/index.ts` (or `--only` ones plus their baselines) as child
 * processes over one input file and writes `latest.md` and `latest.json` to `--out` (default
 * `bench/results`). See bench/README.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { GeneratorOptions } from '../src/sim/generate.js';
import { describeFile, prepareGeneratedFile } from './lib/data-file.js';
import { medianMetrics } from './lib/figures.js';
import type { Meter, Sample } from './lib/measure.js';
import { detectMeter, measureCommand, summarize } from './lib/measure.js';
import type { ResultRow, RunMeta } from './lib/report.js';
import { addRatios, machineMeta, okRow, toMarkdown } from './lib/report.js';
import type { Scenario, ScenarioContext } from './lib/scenario.js';
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

async function measureAll(
  selected: readonly Scenario[],
  ctx: ScenarioContext,
  opts: RunOptions,
  meter: Meter,
): Promise<ResultRow[]> {
  const skipped = new Map<string, string>();
  for (const s of selected) {
    const reason = s.unavailable?.(ctx);
    if (reason !== undefined) skipped.set(s.name, reason);
  }
  const failed = new Map<string, string>();
  const samples = new Map<string, Sample[]>(selected.map((s) => [s.name, []]));
  const metrics = new Map<string, Record<string, number>[]>(selected.map((s) => [s.name, []]));
  // Interleaved (run 1 of every scenario, then run 2 …) so slow drift hits every scenario alike.
  for (let run = 1; run <= opts.runs; run++) {
    for (const s of selected) {
      if (skipped.has(s.name) || failed.has(s.name)) continue;
      const sample = await measureCommand(
        { cwd: REPO_ROOT, timeoutMs: opts.timeoutMs, ...s.command(ctx) },
        meter,
      );
      const problem = problemOf(sample, s, ctx, opts.timeoutMs);
      if (problem !== undefined) {
        failed.set(s.name, problem);
        log(`${s.name}: failed: ${problem}`);
        continue;
      }
      samples.get(s.name)!.push(sample);
      if (s.metrics !== undefined) metrics.get(s.name)!.push(s.metrics(sample.stdout, ctx));
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
    const row = okRow(
      base,
      summarize(list),
      list.map((x) => x.wallSeconds),
      s.readsInput === false ? undefined : ctx,
    );
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
  };
  await measureCommand({ command: 'cat', args: [input.path] }, meter); // warm the page cache
  const rows = await measureAll(selected, ctx, opts, meter);
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
