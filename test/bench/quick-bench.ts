import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { ResultRow } from '../../bench/lib/report.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** What `npm run bench -- --quick --only …` produced in a temp dir. */
export interface QuickBench {
  readonly status: number | null;
  readonly stderr: string;
  /** `latest.json`, parsed (undefined when the run failed before writing it). */
  readonly json: { meta: unknown; results: ResultRow[] } | undefined;
  readonly markdown: string;
}

/** Runs the bench harness with `--quick --only <only>` into a temp dir it removes afterwards. */
export async function runQuickBench(only: string, timeoutMs: number): Promise<QuickBench> {
  const dir = await mkdtemp(join(tmpdir(), 'gax-bench-quick-'));
  try {
    const out = join(dir, 'results');
    const args = ['bench/run.ts', '--quick', '--only', only, '--out', out, '--data-dir', join(dir, 'data')];
    const run = spawnSync(join(root, 'node_modules/.bin/tsx'), args, {
      cwd: root,
      encoding: 'utf8',
      timeout: timeoutMs,
    });
    const json = await readFile(join(out, 'latest.json'), 'utf8').then(
      (t) => JSON.parse(t) as QuickBench['json'],
      () => undefined,
    );
    const markdown = await readFile(join(out, 'latest.md'), 'utf8').catch(() => '');
    return { status: run.status, stderr: run.stderr, json, markdown };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `--quick --only <only>` and asserts that it exited 0 and reported exactly `scenarios`, in
 * that order, each `ok` (those in `mayBeSkipped` may also be `skipped`, e.g. where mtail is not
 * installed). Returns the run and its rows by scenario name.
 */
export async function quickBenchRows(
  only: string,
  scenarios: readonly string[],
  timeoutMs: number,
  mayBeSkipped: readonly string[] = [],
): Promise<{ run: QuickBench; byName: Map<string, ResultRow> }> {
  const run = await runQuickBench(only, timeoutMs);
  expect(run.status, run.stderr).toBe(0);
  const results = run.json?.results ?? [];
  const byName = new Map(results.map((r) => [r.scenario, r]));
  expect([...byName.keys()]).toEqual(scenarios);
  for (const row of results) {
    const allowed = mayBeSkipped.includes(row.scenario) ? ['ok', 'skipped'] : ['ok'];
    expect(allowed, `${row.scenario}: ${row.reason}`).toContain(row.status);
  }
  return { run, byName };
}
