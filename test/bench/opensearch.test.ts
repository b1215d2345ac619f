import { describe, expect, it } from 'vitest';
import { quickBenchRows } from './quick-bench.js';

// One harness run, one OpenSearch 2 node (started by the harness): 2,000 lines through the plain
// bulk loader and through the daemon with the opensearch plugin. Counts and report shape, not timings.
describe('npm run bench --quick --only pipeline-opensearch', () => {
  it('indexes into a real OpenSearch node against the plain bulk loader, with exact counts', async () => {
    const { run, byName } = await quickBenchRows(
      'pipeline-opensearch',
      ['baseline-os-bulk', 'pipeline-opensearch'],
      300_000,
    );
    const os = byName.get('pipeline-opensearch')!;
    expect(os.baseline).toBe('baseline-os-bulk');
    expect(os.ratio).toBeGreaterThan(0);
    for (const row of byName.values()) {
      expect(row.input?.lines, row.scenario).toBe(2_000);
      expect(row.cpuMsPer1kEvents, row.scenario).toBeGreaterThan(0);
    }
    expect(os.metrics?.['in process.events/s']).toBeGreaterThan(0);
    expect(run.markdown).toMatch(/## OpenSearch pipeline in process/);
  }, 300_000);
});
