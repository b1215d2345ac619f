import { describe, expect, it } from 'vitest';
import { runQuickBench } from './quick-bench.js';

// metrics-render is left out: even with --quick it renders a ~300 MB exposition (100,000 series).
describe('npm run bench --quick --only pipeline-prometheus', () => {
  it('runs the daemon with the prometheus plugin against the plain prom-client baseline', async () => {
    const run = await runQuickBench('pipeline-prometheus', 90_000);
    expect(run.status, run.stderr).toBe(0);
    const json = run.json!;
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
