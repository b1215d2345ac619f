import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Row {
  scenario: string;
  status: string;
  linesPerSecond?: number;
  mbPerSecond?: number;
  ratio?: number;
  baseline?: string;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-bench-smoke-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run bench --quick', () => {
  it('measures baseline-json-parse with its baselines and writes latest.md and latest.json to --out', async () => {
    const out = join(dir, 'results');
    const run = spawnSync(
      join(root, 'node_modules/.bin/tsx'),
      [
        'bench/run.ts',
        '--quick',
        '--only',
        'baseline-json-parse',
        '--out',
        out,
        '--data-dir',
        join(dir, 'data'),
      ],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status, run.stderr).toBe(0);

    const json = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as {
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

    const markdown = await readFile(join(out, 'latest.md'), 'utf8');
    expect(markdown).toContain('| Scenario | Status | Runs | Median s |');
    expect(markdown).toMatch(/\| baseline-json-parse \| ok \| 1 \|/);
    expect(markdown).toContain('seed 1');
  });
});
