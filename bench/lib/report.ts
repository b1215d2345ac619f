/** Result rows, run metadata, and their Markdown / JSON forms (`bench/results/latest.{md,json}`). */
import { cpus, platform, release, totalmem } from 'node:os';
import type { GeneratorOptions, GeneratorStats } from '../../src/parsers/wso2-apim/sim/generate.js';
import { furtherRatios, metricsTable } from './figures.js';
import type { Meter, Summary } from './measure.js';

export type RowStatus = 'ok' | 'skipped' | 'failed';

export interface ResultRow {
  scenario: string;
  description: string;
  status: RowStatus;
  /** Why skipped or failed. */
  reason?: string;
  runs: number;
  /** Wall seconds of each run, in order. */
  samples: number[];
  medianSeconds?: number;
  minSeconds?: number;
  maxSeconds?: number;
  linesPerSecond?: number;
  mbPerSecond?: number;
  cpuSeconds?: number;
  /** CPU ms (median run) per 1,000 events of the input, for scenarios that parse its events. */
  cpuMsPer1kEvents?: number;
  maxRssMiB?: number;
  /** The input this scenario read when it is not the main file (`Scenario.prepare`). */
  input?: { path: string; lines: number; bytes: number };
  baseline?: string;
  /** median / baseline median: how many times the baseline's time this scenario takes. */
  ratio?: number;
  /** The same ratio against each `compareWith` scenario of the same run. */
  ratios?: Record<string, number>;
  /** Scenario-specific figures (`Scenario.metrics`): median over the runs, and each run's. */
  metrics?: Record<string, number>;
  runMetrics?: Record<string, number>[];
  /** Heading of the metrics table. */
  metricsTitle?: string;
}

export interface RunMeta {
  date: string;
  node: string;
  platform: string;
  cpuModel: string;
  cores: number;
  totalMemGiB: number;
  meter: Meter;
  runsPerScenario: number;
  file: { path: string; lines: number; bytes: number; reused: boolean };
  generator: { options: GeneratorOptions; stats: GeneratorStats } | undefined;
}

export function machineMeta(): Pick<RunMeta, 'node' | 'platform' | 'cpuModel' | 'cores' | 'totalMemGiB'> {
  const cpu = cpus();
  return {
    node: process.version,
    platform: `${platform()} ${process.arch}, kernel ${release()}`,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    totalMemGiB: round(totalmem() / 2 ** 30, 1),
  };
}

export function okRow(
  base: Pick<ResultRow, 'scenario' | 'description' | 'baseline'>,
  summary: Summary,
  samples: number[],
  /**
   * The input file, or undefined for a scenario that does not read it (no throughput figures);
   * `events` when the scenario parses a known number of them (CPU per 1,000 events).
   */
  file: { lines: number; bytes: number; events?: number | undefined } | undefined,
): ResultRow {
  const events = file?.events;
  return {
    ...base,
    status: 'ok',
    runs: summary.runs,
    samples: samples.map((s) => round(s, 4)),
    medianSeconds: round(summary.medianSeconds, 4),
    minSeconds: round(summary.minSeconds, 4),
    maxSeconds: round(summary.maxSeconds, 4),
    ...(file === undefined
      ? {}
      : {
          linesPerSecond: Math.round(file.lines / summary.medianSeconds),
          mbPerSecond: round(file.bytes / 1e6 / summary.medianSeconds, 1),
        }),
    cpuSeconds: round(summary.cpuSeconds, 3),
    ...(events === undefined || events === 0
      ? {}
      : { cpuMsPer1kEvents: round((summary.cpuSeconds * 1e6) / events, 3) }),
    maxRssMiB: round(summary.maxRssBytes / 2 ** 20, 1),
  };
}

/**
 * Fills `ratio` for every ok row whose baseline is an ok row of the same run, and `ratios` for
 * each of `compareWith` (scenario name → names) that is.
 */
export function addRatios(rows: ResultRow[], compareWith: ReadonlyMap<string, readonly string[]>): void {
  const byName = new Map(rows.map((r) => [r.scenario, r]));
  const ratioTo = (row: ResultRow, name: string | undefined): number | undefined => {
    const base = name === undefined ? undefined : byName.get(name);
    if (row.medianSeconds === undefined || base?.medianSeconds === undefined) return undefined;
    return round(row.medianSeconds / base.medianSeconds, 2);
  };
  for (const row of rows) {
    const ratio = ratioTo(row, row.baseline);
    if (ratio !== undefined) row.ratio = ratio;
    for (const other of compareWith.get(row.scenario) ?? []) {
      const r = ratioTo(row, other);
      if (r !== undefined) row.ratios = { ...row.ratios, [other]: r };
    }
  }
}

const round = (n: number, digits: number): number => Number(n.toFixed(digits));
const int = (n: number | undefined): string => (n === undefined ? '' : n.toLocaleString('en-US'));
const fixed = (n: number | undefined, digits: number): string => (n === undefined ? '' : n.toFixed(digits));

export function toMarkdown(meta: RunMeta, rows: readonly ResultRow[]): string {
  const f = meta.file;
  const stats = meta.generator?.stats;
  const mix =
    stats === undefined
      ? ''
      : ` (response ${int(stats.response)}, faulty ${int(stats.faulty)}, AI ${int(stats.ai)})`;
  const gen = meta.generator?.options;
  const header = [
    '# gax benchmark results',
    '',
    `- Date: ${meta.date}`,
    `- Node: ${meta.node} (${meta.platform})`,
    `- CPU: ${meta.cpuModel}, ${meta.cores} cores; RAM ${meta.totalMemGiB} GiB`,
    `- Input: \`${f.path}\`: ${int(f.lines)} lines, ${fixed(f.bytes / 1e6, 1)} MB${mix}`,
    gen === undefined
      ? '- Generator: none (file given with --file)'
      : `- Generator: seed ${gen.seed ?? 1}, apis ${gen.apis ?? 50}, variants ${gen.variants === true ? 'on' : 'off'}`,
    `- Runs: ${meta.runsPerScenario} per scenario, interleaved, after one untimed read of the file; median shown`,
    `- Meter: ${meta.meter === 'gnu-time' ? 'GNU time (rusage of the child)' : '/proc polling (approximate)'}; wall time from spawn to exit`,
    '',
    'Machines are noisy: compare the **ratio** column (time ÷ the baseline’s time, measured in the same run),',
    'not absolute figures. MB = 10⁶ bytes; CPU = user + sys seconds (median run); RSS = peak of all runs.',
    'CPU ms/1k ev = CPU ms per 1,000 events of the input (the measured process tree only: a backend such as',
    'the Elasticsearch node runs in its own process and is not counted).',
    '',
  ];
  const table = [
    '| Scenario | Status | Runs | Median s | Min s | Max s | Lines/s | MB/s | CPU s | CPU ms/1k ev | Max RSS MiB | Ratio |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
    ...rows.map((r) => {
      const status =
        r.status === 'ok'
          ? 'ok'
          : `${r.status}: ${(r.reason ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ')}`;
      const ratio =
        r.ratio === undefined
          ? r.baseline === undefined
            ? '—'
            : `n/a vs ${r.baseline}`
          : `${r.ratio.toFixed(2)}× ${r.baseline}`;
      return `| ${r.scenario} | ${status} | ${r.runs} | ${fixed(r.medianSeconds, 3)} | ${fixed(r.minSeconds, 3)} | ${fixed(r.maxSeconds, 3)} | ${int(r.linesPerSecond)} | ${fixed(r.mbPerSecond, 1)} | ${fixed(r.cpuSeconds, 2)} | ${fixed(r.cpuMsPer1kEvents, 2)} | ${fixed(r.maxRssMiB, 1)} | ${ratio} |`;
    }),
  ];
  const inputs = rows.flatMap((r) =>
    r.input === undefined
      ? []
      : [
          `- ${r.scenario}: \`${r.input.path}\`, ${int(r.input.lines)} lines, ${fixed(r.input.bytes / 1e6, 1)} MB`,
        ],
  );
  const inputNotes = inputs.length === 0 ? [] : ['', 'Scenarios that read another input:', '', ...inputs];
  return `${[...header, ...table, ...inputNotes, ...furtherRatios(rows), ...rows.flatMap(metricsTable)].join('\n')}\n`;
}
