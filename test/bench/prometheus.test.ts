import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultRow } from '../../bench/lib/report.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-bench-prometheus-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// metrics-render is left out: even with --quick it renders a ~300 MB exposition (100,000 series).
describe('npm run bench --quick --only pipeline-prometheus', () => {
  it('runs the daemon with the prometheus plugin against the plain prom-client baseline', async () => {
    const out = join(dir, 'results');
    const run = spawnSync(
      join(root, 'node_modules/.bin/tsx'),
      [
        'bench/run.ts',
        '--quick',
        '--only',
        'pipeline-prometheus',
        '--out',
        out,
        '--data-dir',
        join(dir, 'data'),
      ],
      { cwd: root, encoding: 'utf8', timeout: 90_000 },
    );
    expect(run.status, run.stderr).toBe(0);

    const json = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as { results: ResultRow[] };
    const byName = new Map(json.results.map((r) => [r.scenario, r]));
    expect([...byName.keys()]).toEqual([
      'baseline-read',
      'baseline-split',
      'baseline-json-parse',
      'baseline-prom-client',
      'pipeline-prometheus',
    ]);
    for (const row of json.results) expect(row.status, row.reason).toBe('ok');

    const pipeline = byName.get('pipeline-prometheus')!;
    expect(pipeline.baseline).toBe('baseline-prom-client');
    expect(pipeline.ratio).toBeGreaterThan(0);
    expect(pipeline.ratios?.['baseline-json-parse']).toBeGreaterThan(0);
    // The plugin and the plain baseline see the same label sets.
    const series = byName.get('baseline-prom-client')!.metrics?.['baseline.apim_requests_total series'];
    expect(series).toBeGreaterThan(100);
    expect(pipeline.metrics?.['in process.apim_requests_total series']).toBe(series);
  }, 90_000);
});
