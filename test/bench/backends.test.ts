import { describe, expect, it } from 'vitest';
import { quickBenchRows } from './quick-bench.js';

// One harness run, one Elasticsearch node (started by the harness, ~30 s): 2,000 lines into
// Elasticsearch, a 15 s outage, 20,000 lines into the Datadog receiver. Counts, not timings.
describe('npm run bench --quick --only pipeline-elasticsearch,outage-elasticsearch,pipeline-datadog', () => {
  it('indexes into a real node against the bulk baseline, survives an outage with exact counts, and ships to the Datadog receiver', async () => {
    const { run, byName } = await quickBenchRows(
      'pipeline-elasticsearch,outage-elasticsearch,pipeline-datadog',
      [
        'baseline-read',
        'baseline-split',
        'baseline-json-parse',
        'tail-throughput',
        'baseline-es-bulk',
        'pipeline-elasticsearch',
        'outage-elasticsearch',
        'pipeline-datadog',
      ],
      300_000,
    );

    const es = byName.get('pipeline-elasticsearch')!;
    expect(es.baseline).toBe('baseline-es-bulk');
    expect(es.ratio).toBeGreaterThan(0);
    expect(es.input?.lines).toBe(2_000);
    expect(byName.get('baseline-es-bulk')!.input?.lines).toBe(2_000);
    expect(es.cpuMsPer1kEvents).toBeGreaterThan(0);

    const dd = byName.get('pipeline-datadog')!;
    expect(dd.baseline).toBe('baseline-json-parse');
    expect(dd.ratios?.['tail-throughput']).toBeGreaterThan(0);
    expect(dd.input?.lines).toBe(20_000);
    expect(dd.cpuMsPer1kEvents).toBeGreaterThan(0);
    expect(dd.metrics?.['in process.API requests']).toBeGreaterThan(0);

    // The outage row has no throughput figures; its own table has the RSS over the outage.
    const outage = byName.get('outage-elasticsearch')!;
    expect(outage.linesPerSecond).toBeUndefined();
    expect(outage.cpuMsPer1kEvents).toBeUndefined();
    expect(outage.metrics?.['outage.samples']).toBeGreaterThanOrEqual(1);
    expect(outage.metrics?.['outage.events']).toBeGreaterThan(2_000);
    expect(outage.metrics?.['RSS MiB.max']).toBeGreaterThanOrEqual(outage.metrics?.['RSS MiB.min'] ?? 0);
    expect(byName.get('baseline-read')!.cpuMsPer1kEvents).toBeUndefined();

    expect(run.markdown).toContain('| CPU ms/1k ev |');
    expect(run.markdown).toContain('Scenarios that read another input:');
    expect(run.markdown).toMatch(/## Memory of `gax run` during the Elasticsearch outage/);
  }, 300_000);
});
