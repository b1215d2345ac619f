// The results table of bench.mjs, also rendered again from a saved results.json:
//   node bench/experiments/workers/table.mjs [results.json]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Wall time on two otherwise idle cores if the threads overlapped perfectly (derived, not
 * measured): no less than the main thread's CPU, the busiest worker's share, or half the total.
 */
export function twoCoreBound(r) {
  const workerCpu = r.totalCpuS - r.mainCpuS;
  return Math.max(r.mainCpuS, r.totalCpuS / 2, r.workers > 0 ? workerCpu / r.workers : 0);
}

/** Markdown table of `rows` (medians), with ratios to the bare JSON.parse loop and to (a). */
export function renderTable({ runs, load, chunkBytes, rows }) {
  const bare = rows.find((r) => r.id === 'bare');
  const base = rows.find((r) => r.id === 'a');
  const fmt = (x, d = 2) => x.toFixed(d);
  const lines = [
    `${rows[0].lines} lines, ${runs} runs each (medians), ${chunkBytes} B chunks; 1-min load average ${load.map((x) => x.toFixed(2)).join(' → ')} (2 vCPUs shared with other jobs)`,
    '',
    '| variant | wall s | lines/s | × bare | × (a) | main CPU s | total CPU s | main ms / 1k ev | total ms / 1k ev | 2-core bound s | bound × bare | peak RSS MiB | worker start ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => {
      const k = r.events / 1000;
      const cells = [
        `${r.id}: ${r.what}`,
        fmt(r.wallS),
        Math.round(r.lines / r.wallS).toLocaleString('en'),
        fmt(bare.wallS / r.wallS),
        fmt(base.wallS / r.wallS),
        fmt(r.mainCpuS),
        fmt(r.totalCpuS),
        fmt((r.mainCpuS * 1000) / k),
        fmt((r.totalCpuS * 1000) / k),
        fmt(twoCoreBound(r)),
        fmt(twoCoreBound(bare) / twoCoreBound(r)),
        Math.round(r.rssMiB),
        Math.round(r.readyMs),
      ];
      return `| ${cells.join(' | ')} |`;
    }),
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const saved = JSON.parse(
    readFileSync(process.argv[2] ?? new URL('./results.json', import.meta.url), 'utf8'),
  );
  const workers = (id) => Number(/^(?:[a-e]\d?-)?[a-e](\d)/.exec(id)?.[1] ?? 0);
  const rows = saved.rows.map((r) => ({ ...r, workers: r.workers ?? workers(r.id) }));
  process.stdout.write(`${renderTable({ ...saved, chunkBytes: saved.chunkBytes ?? 262_144, rows })}\n`);
}
