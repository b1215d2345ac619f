// Runs every variant (run.mjs) and the bare baselines (bench/baselines/, measured by hook.mjs)
// `--runs` times each, rounds interleaved, one process per run; prints the medians as a markdown
// table and writes them to results.json. Then checks that /metrics of (c) is byte-identical to
// (a)'s for the same input, with the default settings and with a small series cap and label length
// (overflow and truncation), and shows what per-tuple partial sums would change.
//
//   GAX_DIST=/tmp/gax-workers-wt/dist node bench/experiments/workers/bench.mjs FILE [--runs 3]
//     [--only a,c2] [--no-check] [--out DIR (results.json and results.md; default: here)]
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderTable } from './table.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const baselines = join(here, '../../baselines');
const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
    'no-check': { type: 'boolean' },
    out: { type: 'string' },
  },
});
const file = positionals[0];
if (file === undefined) throw new Error('usage: node bench.mjs FILE [--runs N] [--only ids]');

/** id → [description, argv of run.mjs | baseline script]. */
const VARIANTS = [
  ['split', 'bare loop: read + split lines (bench/baselines/split.mjs)', { baseline: 'split.mjs' }],
  ['bare', 'bare loop: split + JSON.parse (bench/baselines/json-parse.mjs)', { baseline: 'json-parse.mjs' }],
  ['a', '(a) 1 thread: read, parse, prometheus send()', ['--variant', 'a']],
  ['b1', '(b) 1 worker read+parse → events (clone) → main send()', ['--variant', 'b', '--workers', '1']],
  ['b2', '(b) 2 workers, same', ['--variant', 'b', '--workers', '2']],
  ['c1', '(c) 1 worker read+parse+delta → main applies delta', ['--variant', 'c', '--workers', '1']],
  ['c2', '(c) 2 workers, same', ['--variant', 'c', '--workers', '2']],
  [
    'e-b2',
    '(e) = b2, main reads, transfers the Buffer',
    ['--variant', 'b', '--workers', '2', '--read', 'main'],
  ],
  [
    'e-c1',
    '(e) = c1, main reads, transfers the Buffer',
    ['--variant', 'c', '--workers', '1', '--read', 'main'],
  ],
  [
    'e-c2',
    '(e) = c2, main reads, transfers the Buffer',
    ['--variant', 'c', '--workers', '2', '--read', 'main'],
  ],
  [
    'c2-y16',
    '(c) 2 workers, young generation 16 MiB',
    ['--variant', 'c', '--workers', '2'],
    { GAX_WORKER_YOUNG_MB: '16' },
  ],
  [
    'c2-1m',
    '(c) 2 workers, 1 MiB chunks',
    ['--variant', 'c', '--workers', '2'],
    { GAX_CHUNK_BYTES: '1048576' },
  ],
  ['d0-file', '(d) 1 thread: parse + file NDJSON (eventJson)', ['--variant', 'd', '--workers', '0']],
  [
    'd2-file-main',
    '(d) 2 workers → events; main JSON.stringify (file plugin today)',
    ['--variant', 'd', '--workers', '2', '--encode', 'main'],
  ],
  [
    'd2-file-text',
    '(d) 2 workers → file NDJSON text (eventJson); main takes the string',
    ['--variant', 'd', '--workers', '2'],
  ],
  [
    'd2-bulk-main',
    '(d) 2 workers → events; main bulkLines (ES plugin today)',
    ['--variant', 'd', '--workers', '2', '--encode', 'main', '--format', 'bulk'],
  ],
  [
    'd2-bulk-text',
    '(d) 2 workers → ES bulk NDJSON text; main takes the string',
    ['--variant', 'd', '--workers', '2', '--format', 'bulk'],
  ],
];
const only = opt.only?.split(',');
const chosen = VARIANTS.filter(
  ([id]) => only === undefined || only.includes(id) || id === 'bare' || id === 'a',
);

function runOnce(spec, env) {
  const out = execFileSync(process.execPath, [join(here, 'run.mjs'), file, ...spec], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return JSON.parse(out.trim().split('\n').pop());
}

function runBaseline(spec) {
  const args = ['--import', join(here, 'hook.mjs'), join(baselines, spec.baseline), file];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${spec.baseline} failed: ${r.stderr}`);
  const counts = JSON.parse(r.stdout.trim());
  const measured = JSON.parse(r.stderr.split('GAXMEASURE ')[1]);
  return { lines: counts.lines, events: counts.events ?? counts.lines, readyMs: 0, ...measured };
}

const runs = Number(opt.runs);
const samples = new Map(chosen.map(([id]) => [id, []]));
const load = [loadavg()[0]];
for (let round = 0; round < runs; round++) {
  for (const [id, , spec, env] of chosen) {
    const r = Array.isArray(spec) ? runOnce(spec, env) : runBaseline(spec);
    samples.get(id).push(r);
    process.stderr.write(
      `round ${round + 1} ${id}: ${r.wallS.toFixed(3)} s, main ${r.mainCpuS.toFixed(2)} s\n`,
    );
  }
  load.push(loadavg()[0]);
}

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const workersOf = (spec) => (Array.isArray(spec) ? Number(spec[spec.indexOf('--workers') + 1] ?? 0) : 0);
const rows = chosen.map(([id, what, spec]) => {
  const rs = samples.get(id);
  const m = (k) => median(rs.map((r) => r[k]));
  return {
    id,
    what,
    lines: rs[0].lines,
    events: rs[0].events,
    wallS: m('wallS'),
    mainCpuS: m('mainCpuS'),
    totalCpuS: m('totalCpuS'),
    rssMiB: m('rssMiB'),
    readyMs: m('readyMs'),
    walls: rs.map((r) => r.wallS),
    workers: workersOf(spec),
  };
});
const chunkBytes = Number(process.env.GAX_CHUNK_BYTES ?? 262_144);
const table = renderTable({ runs, load, chunkBytes, rows });
process.stdout.write(`${table}\n`);
const out = opt.out ?? here;
writeFileSync(
  join(out, 'results.json'),
  `${JSON.stringify({ file, runs, load, chunkBytes, rows }, null, 2)}\n`,
);
writeFileSync(join(out, 'results.md'), `${table}\n`);

if (!opt['no-check']) {
  process.stdout.write('\n/metrics of (c) vs (a), same input:\n');
  const render = (variant, extra, out) => {
    execFileSync(process.execPath, [
      join(here, 'run.mjs'),
      file,
      '--variant',
      variant,
      ...extra,
      '--render',
      out,
    ]);
    return readFileSync(out, 'utf8');
  };
  for (const [label, settings] of [
    ['defaults', []],
    ['cap 50, maxLabelValueLength 16', ['--cap', '50', '--maxlen', '16']],
  ]) {
    const a = render('a', settings, '/tmp/gax-workers-a.prom');
    for (const extra of [
      ['--workers', '1'],
      ['--workers', '2'],
      ['--workers', '2', '--read', 'main'],
      ['--workers', '2', '--sum', 'partial'],
    ]) {
      const c = render('c', [...settings, ...extra], '/tmp/gax-workers-c.prom');
      const al = a.split('\n');
      const cl = c.split('\n');
      const differing = al.filter((l, i) => l !== cl[i]).length;
      process.stdout.write(
        `- ${label}, c ${extra.join(' ')}: ${a === c ? 'byte-identical' : `DIFFERS in ${differing} of ${al.length} lines`} (${a.length} bytes)\n`,
      );
    }
  }
}
