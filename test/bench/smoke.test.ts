import { describe, expect, it } from 'vitest';
import { runQuickBench } from './quick-bench.js';

interface Row {
  scenario: string;
  status: string;
  linesPerSecond?: number;
  mbPerSecond?: number;
  ratio?: number;
  baseline?: string;
}

describe('npm run bench --quick', () => {
  it('measures baseline-json-parse with its baselines and writes latest.md and latest.json to --out', async () => {
    const run = await runQuickBench('baseline-json-parse', 60_000);
    expect(run.status, run.stderr).toBe(0);

    const json = run.json as unknown as {
      meta: { file: { lines: number }; generator: { options: { seed: number } } };
      results: Row[];
    };
    expect(json.meta.file.lines).toBe(20_000);
    expect(json.meta.generator.options.seed).toBe(1);
    expect(json.results.map((r) => r.scenario)).toEqual([
      'baseline-read',
      'baseline-split',
      'baseline-json-parse',
    ]);
    for (const row of json.results) {
      expect(row.status).toBe('ok');
      expect(row.linesPerSecond).toBeGreaterThan(0);
      expect(row.mbPerSecond).toBeGreaterThan(0);
    }
    const parse = json.results[2]!;
    expect(parse.baseline).toBe('baseline-split');
    expect(parse.ratio).toBeGreaterThan(0);

    const { markdown } = run;
    expect(markdown).toContain('| Scenario | Status | Runs | Median s |');
    expect(markdown).toMatch(/\| baseline-json-parse \| ok \| 1 \|/);
    expect(markdown).toContain('seed 1');
  });
});
