import { describe, expect, it } from 'vitest';
import { rowsRead } from '../../bench/lib/summaries-range.js';
import { summariesRangeQuery } from '../../bench/scenarios/summaries.js';
import { quickBenchRows } from './quick-bench.js';

// One harness run with a real PostgreSQL started by the harness: the range query on a 1/10,000
// sample of 30 days × 50 req/s, and the daemon with the summaries plugin against the file plugin on
// 2,000 lines. Figures and their relations, not timings.
describe('npm run bench --quick --only summaries-range-query,pipeline-summaries', () => {
  it('answers the 30-day view from raw events and summaries alike, and costs both plugins', async () => {
    const { byName } = await quickBenchRows(
      'summaries-range-query,pipeline-summaries',
      ['summaries-range-query', 'pipeline-summaries-file', 'pipeline-summaries'],
      120_000,
    );
    const range = byName.get('summaries-range-query')!.metrics!;
    const raw = range['sample: raw_events.rows read']!;
    const summary = range['sample: ApiVersionPerAppAgg_DAYS.rows read']!;
    expect(raw).toBe(range['load.events']); // the raw scan reads every loaded event
    expect(raw).toBe(Math.round(30 * 86_400 * 50 * 1e-4));
    expect(summary).toBeGreaterThan(0);
    expect(summary).toBeLessThan(raw);
    expect(range['sample: APIM_ReqCountAgg_DAYS.rows read']).toBeGreaterThan(0);
    expect(range['sample: raw ÷ ApiVersionPerAppAgg_DAYS.rows read']).toBeCloseTo(raw / summary, 6);
    expect(range['full rate: raw_events (rows ÷ fraction).rows read']).toBe(129_600_000);
    expect(range['full rate: summary (≤ days × APIs × apps).rows read']).toBe(30 * 50 * 20);
    expect(range['full rate: raw ÷ summary.rows read']).toBe(129_600_000 / 30_000);
    for (const q of ['raw_events', 'ApiVersionPerAppAgg_DAYS', 'APIM_ReqCountAgg_DAYS'])
      expect(range[`sample: ${q}.median ms`], q).toBeGreaterThan(0);

    const file = byName.get('pipeline-summaries-file')!;
    const summaries = byName.get('pipeline-summaries')!;
    expect(summaries.baseline).toBe('pipeline-summaries-file');
    expect(summaries.ratio).toBeGreaterThan(0);
    for (const row of [file, summaries]) {
      expect(row.input?.lines, row.scenario).toBe(2_000);
      expect(row.cpuMsPer1kEvents, row.scenario).toBeGreaterThan(0);
      expect(row.metrics?.['in process.cpu ms/1k events'], row.scenario).toBeGreaterThan(0);
    }
    expect(summaries.metrics?.['postgres.cpu ms/1k events']).toBeGreaterThan(0);
  }, 120_000);
});

describe('summaries-range-query figures', () => {
  const good = {
    sampleEvents: 1000,
    answersAgree: true,
    raw: { rows: 1000 },
    versionPerApp: { rows: 10 },
    fullRate: { summaryRowsBound: 30, rowRatio: 4320 },
  };
  const verify = (out: unknown) => summariesRangeQuery.verify(JSON.stringify(out));

  it('fails a run whose answers differ, whose raw scan missed rows or whose ratio is short', () => {
    expect(verify(good)).toBeUndefined();
    expect(verify({ ...good, answersAgree: false })).toMatch(/differs/);
    expect(verify({ ...good, raw: { rows: 999 } })).toMatch(/999 rows, 1000 loaded/);
    expect(verify({ ...good, versionPerApp: { rows: 1000 } })).toMatch(/no fewer rows/);
    expect(verify({ ...good, versionPerApp: { rows: 31 } })).toMatch(/more summary rows/);
    expect(verify({ ...good, fullRate: { summaryRowsBound: 30, rowRatio: 999 } })).toMatch(/999 < 1,000/);
  });

  it('counts what scan nodes read: returned plus filtered out, times loops', () => {
    const plan = {
      'Node Type': 'Sort',
      'Actual Rows': 50,
      'Actual Loops': 1,
      Plans: [
        {
          'Node Type': 'Seq Scan',
          'Actual Rows': 300,
          'Actual Loops': 3,
          'Rows Removed by Filter': 20,
        },
      ],
    };
    expect(rowsRead(plan)).toBe(960);
  });
});
