import { describe, expect, it } from 'vitest';
import { quickBenchRows } from './quick-bench.js';

// metrics-render has its own smoke test: test/bench/metrics-render.test.ts.
describe('npm run bench --quick --only pipeline-prometheus', () => {
  it('runs the daemon with the prometheus plugin against the plain prom-client baseline', async () => {
    // mtail-oneshot (a compareWith) is skipped where mtail is not installed; test/bench/mtail.test.ts installs it.
    const { byName } = await quickBenchRows(
      'pipeline-prometheus',
      [
        'baseline-read',
        'baseline-split',
        'baseline-json-parse',
        'baseline-prom-client',
        'mtail-oneshot',
        'pipeline-prometheus',
      ],
      90_000,
      ['mtail-oneshot'],
    );

    const pipeline = byName.get('pipeline-prometheus')!;
    expect(pipeline.baseline).toBe('baseline-prom-client');
    expect(pipeline.ratio).toBeGreaterThan(0);
    expect(pipeline.ratios?.['baseline-json-parse']).toBeGreaterThan(0);
    if (byName.get('mtail-oneshot')!.status === 'ok') {
      expect(pipeline.ratios?.['mtail-oneshot']).toBeGreaterThan(0);
    }
    // The plugin and the plain baseline see the same label sets.
    const series = byName.get('baseline-prom-client')!.metrics?.['baseline.apim_requests_total series'];
    expect(series).toBeGreaterThan(100);
    expect(pipeline.metrics?.['in process.apim_requests_total series']).toBe(series);
  }, 90_000);
});
