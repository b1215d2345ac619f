import { beforeAll, describe, expect, it } from 'vitest';
import { ensureMtail } from '../helpers/mtail.js';
import { quickBenchRows } from './quick-bench.js';

const EXPORTERS = ['gax', 'mtail'] as const;
const LOADS = ['idle', '5,000 lines/s'] as const;

// Checks that the harness runs mtail and the latency driver and that their counts are right; the
// figures themselves are not asserted (a benchmark is not a timed test).
describe('npm run bench --quick --only mtail-oneshot,metrics-latency', () => {
  beforeAll(async () => {
    await ensureMtail();
  }, 900_000);

  it('runs mtail over the input and measures append → /metrics for gax and mtail', async () => {
    const { run, byName } = await quickBenchRows(
      'mtail-oneshot,metrics-latency',
      [
        'baseline-read',
        'baseline-split',
        'baseline-json-parse',
        'baseline-prom-client',
        'mtail-oneshot',
        'metrics-latency',
      ],
      90_000,
    );

    // mtail's program sees every event and the same apim_requests_total label sets as prom-client.
    const mtail = byName.get('mtail-oneshot')!;
    expect(mtail.baseline).toBe('baseline-prom-client');
    expect(mtail.ratio).toBeGreaterThan(0);
    expect(mtail.metrics?.['mtail.requests']).toBe(20_000);
    const series = byName.get('baseline-prom-client')!.metrics?.['baseline.apim_requests_total series'];
    expect(series).toBeGreaterThan(100);
    expect(mtail.metrics?.['mtail.apim_requests_total series']).toBe(series);

    const latency = byName.get('metrics-latency')!;
    for (const exporter of EXPORTERS) {
      for (const load of LOADS) {
        expect(latency.metrics?.[`${exporter} ${load}.probes`], `${exporter} ${load}`).toBeGreaterThan(0);
        expect(latency.metrics?.[`${exporter} ${load}.p99 ms`]).toBeGreaterThan(0);
      }
    }
    expect(run.markdown).toContain('| mtail 5,000 lines/s |');
  }, 90_000);
});
