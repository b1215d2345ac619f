import { describe, expect, it } from 'vitest';
import { runQuickBench } from './quick-bench.js';

describe('npm run bench --quick --only metrics-render', () => {
  it('measures /metrics and memory at 1,000 series, and after 20,000 lines with a 512 MiB heap', async () => {
    const run = await runQuickBench('metrics-render', 90_000);
    expect(run.status, run.stderr).toBe(0);
    const json = run.json!;
    expect(json.results.map((r) => r.scenario)).toEqual(['metrics-render']);
    const [row] = json.results;
    expect(row?.status, row?.reason).toBe('ok');
    expect(row?.linesPerSecond).toBeUndefined();

    const m = row?.metrics ?? {};
    const plain = '1,000 series';
    const long = '1,000 series, 20,000 lines, 512 MiB heap';
    expect(m[`${plain}.all series`]).toBeGreaterThan(1_000);
    expect(m[`${long}.lines`]).toBe(20_000);
    for (const level of [plain, long]) {
      expect(m[`${level}.body MB`]).toBeGreaterThan(1);
      expect(m[`${level}.GET median ms`]).toBeGreaterThan(0);
      expect(m[`${level}.heap MiB`]).toBeGreaterThan(0);
      expect(m[`${level}.RSS MiB`]).toBeGreaterThan(m[`${level}.heap MiB`]!);
      expect(m[`${level}.peak RSS MiB`]).toBeGreaterThanOrEqual(m[`${level}.ingest peak RSS MiB`]!);
    }
    expect(run.markdown).toMatch(/## \/metrics at high cardinality: .*\(metrics-render, median of 1 run\)/);
    expect(run.markdown).toContain(`| ${long} |`);
  }, 90_000);
});
