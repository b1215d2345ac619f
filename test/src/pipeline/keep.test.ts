/** keep() (src/pipeline/keep.ts): dead-letter records are written, however long that takes, unless stopped. */
import { describe, expect, it } from 'vitest';
import type { DeadLetterRecord } from '../../../src/pipeline/dead-letter.js';
import { keep } from '../../../src/pipeline/keep.js';

const record: DeadLetterRecord = {
  stage: 'parse',
  reason: 'truncated_json',
  detail: 'cut',
  source: { file: '/logs/apim_metrics.log', offset: 10 },
  line: '{"a":',
};

/** A writer that fails its first `failures` writes (ENOSPC), then keeps what it is given. */
function writer(failures: number) {
  const kept: DeadLetterRecord[][] = [];
  let calls = 0;
  return {
    kept,
    calls: () => calls,
    write: async (records: readonly DeadLetterRecord[]) => {
      calls++;
      if (calls <= failures) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      kept.push([...records]);
    },
  };
}

describe('keep', () => {
  it('writes at once when it can, reporting nothing', async () => {
    const w = writer(0);
    const reports: unknown[] = [];
    expect(await keep(w, [record], { stopped: () => false, report: (e) => reports.push(e) })).toBe(true);
    expect(w.kept).toEqual([[record]]);
    expect(reports).toEqual([]);
  });

  it('tries again until the write works: the failure reported once, then the recovery', async () => {
    const w = writer(3);
    const reports: unknown[] = [];
    const started = Date.now();
    expect(await keep(w, [record], { stopped: () => false, report: (e) => reports.push(e) })).toBe(true);
    expect(w.calls()).toBe(4);
    expect(w.kept).toEqual([[record]]);
    expect(reports).toHaveLength(2);
    expect((reports[0] as Error).message).toMatch(/no space left/);
    expect(reports[1]).toBeUndefined();
    // Waits of 100, 200 and 400 ms between the four tries.
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
  });

  it('gives up when stopped while failing, and writes nothing', async () => {
    const w = writer(Number.POSITIVE_INFINITY);
    let stop = false;
    setTimeout(() => {
      stop = true;
    }, 250);
    expect(await keep(w, [record], { stopped: () => stop, report: () => undefined })).toBe(false);
    expect(w.kept).toEqual([]);
    expect(w.calls()).toBeGreaterThanOrEqual(2);
  });
});
