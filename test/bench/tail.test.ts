import { describe, expect, it } from 'vitest';
import { medianMetrics } from '../../bench/lib/figures.js';
import type { ResultRow } from '../../bench/lib/report.js';
import { addRatios } from '../../bench/lib/report.js';
import { quickBenchRows } from './quick-bench.js';

describe('bench report extras', () => {
  it('takes the median of each figure over the runs', () => {
    expect(medianMetrics([{ 'a.x': 1, 'a.y': 5 }, { 'a.x': 3 }, { 'a.x': 2, 'a.y': 7 }])).toEqual({
      'a.x': 2,
      'a.y': 6,
    });
  });

  it('adds ratios against the baseline and every compareWith scenario of the same run', () => {
    const row = (scenario: string, medianSeconds: number, baseline?: string): ResultRow => ({
      scenario,
      description: '',
      status: 'ok',
      runs: 1,
      samples: [medianSeconds],
      medianSeconds,
      baseline,
    });
    const rows = [row('read', 0.5), row('parse', 2, 'read'), row('tail', 4, 'read')];
    addRatios(rows, new Map([['tail', ['parse', 'missing']]]));
    expect(rows[2]).toMatchObject({ ratio: 8, ratios: { parse: 2 } });
    expect(rows[1]!.ratios).toBeUndefined();
  });
});

describe('npm run bench --quick --only tail-throughput,tail-latency', () => {
  it('tails the file into a plugin, verifies the counts and reports latency percentiles', async () => {
    const { run, byName } = await quickBenchRows(
      'tail-throughput,tail-latency',
      ['baseline-read', 'baseline-split', 'baseline-json-parse', 'tail-throughput', 'tail-latency'],
      90_000,
    );

    const tail = byName.get('tail-throughput')!;
    expect(tail.baseline).toBe('baseline-read');
    expect(tail.ratio).toBeGreaterThan(0);
    expect(tail.ratios?.['baseline-json-parse']).toBeGreaterThan(0);
    expect(tail.metrics?.['in process.lines/s']).toBeGreaterThan(0);

    const latency = byName.get('tail-latency')!;
    expect(latency.linesPerSecond).toBeUndefined();
    for (const phase of ['idle', 'loaded']) {
      const p50 = latency.metrics?.[`${phase}.p50Ms`];
      expect(p50).toBeGreaterThan(0);
      expect(latency.metrics?.[`${phase}.p99Ms`]).toBeGreaterThanOrEqual(p50!);
    }
    expect(latency.metrics?.['loaded.appended']).toBe(15_000);

    const { markdown } = run;
    expect(markdown).toContain('- tail-throughput: ');
    expect(markdown).toMatch(/## Latency: .*\(tail-latency, median of 1 run\)/);
    expect(markdown).toMatch(/\| loaded \| 5,000 \| 15,000 \|/);
  }, 90_000);
});
