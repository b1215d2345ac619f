/** The report's extras below the main table: further ratios and per-scenario figure tables. */
import { median } from './measure.js';
import type { ResultRow } from './report.js';

/** Per key, the median over the runs' figures (keys missing from a run are left out of its median). */
export function medianMetrics(runs: readonly Record<string, number>[]): Record<string, number> {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(
    keys.map((k) => [k, median(runs.flatMap((r) => (r[k] === undefined ? [] : [r[k]])))]),
  );
}

const figure = (n: number | undefined): string =>
  n === undefined || Number.isNaN(n) ? '' : n.toLocaleString('en-US', { maximumFractionDigits: 2 });

export function furtherRatios(rows: readonly ResultRow[]): string[] {
  const lines = rows.flatMap((r) =>
    Object.entries(r.ratios ?? {}).map(([other, ratio]) => `- ${r.scenario}: ${ratio.toFixed(2)}× ${other}`),
  );
  return lines.length === 0
    ? []
    : ['', 'Further ratios (time ÷ that scenario’s time, same run):', '', ...lines];
}

/** A row's `metrics` as a table: key `group.name` → row `group`, column `name`. */
export function metricsTable(row: ResultRow): string[] {
  const metrics = row.metrics;
  if (metrics === undefined || Object.keys(metrics).length === 0) return [];
  const cells = new Map<string, Map<string, number>>(); // group → column → figure
  const columns = new Set<string>();
  for (const [key, value] of Object.entries(metrics)) {
    const dot = key.indexOf('.');
    const group = dot === -1 ? row.scenario : key.slice(0, dot);
    const column = key.slice(dot + 1);
    columns.add(column);
    cells.set(group, (cells.get(group) ?? new Map<string, number>()).set(column, value));
  }
  return [
    '',
    `## ${row.metricsTitle ?? row.scenario} (${row.scenario}, median of ${row.runs} run${row.runs === 1 ? '' : 's'})`,
    '',
    `| | ${[...columns].join(' | ')} |`,
    `|---|${[...columns].map(() => '--:').join('|')}|`,
    ...[...cells].map(([group, byColumn]) => {
      const values = [...columns].map((c) => figure(byColumn.get(c)));
      return `| ${group} | ${values.join(' | ')} |`;
    }),
  ];
}
