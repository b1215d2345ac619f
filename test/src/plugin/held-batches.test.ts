import { describe, expect, it } from 'vitest';
import { HeldBatches } from '../../../src/plugin/held-batches.js';

/** An export that records what it was given and finishes when the test says so. */
function recorder() {
  const exports: number[][] = [];
  const pending: (() => void)[] = [];
  const held = new HeldBatches<number>(3, (waiting) => {
    exports.push([...waiting]);
    return new Promise<void>((resolve) => pending.push(resolve));
  });
  return { held, exports, finish: () => pending.shift()?.() };
}

describe('HeldBatches', () => {
  it('exports as soon as max batches wait, and only what waits', async () => {
    const { held, exports, finish } = recorder();
    held.hold(1);
    held.hold(2);
    expect(exports).toEqual([]);
    held.hold(3);
    expect(exports).toEqual([[1, 2, 3]]);
    expect(held.busy).toBe(true);
    finish();
    await held.flush();
    expect(held.busy).toBe(false);
  });

  it('runs one export at a time; one asked for meanwhile takes what waits by then', async () => {
    const { held, exports, finish } = recorder();
    held.hold(1);
    const first = held.flush();
    held.hold(2);
    held.hold(3);
    const second = held.flush();
    await Promise.resolve();
    expect(exports).toEqual([[1]]);
    finish();
    await first;
    await new Promise((r) => setTimeout(r, 0));
    expect(exports).toEqual([[1], [2, 3]]);
    finish();
    await second;
    expect(held.busy).toBe(false);
  });

  it('runs exclusive work only after the export in progress', async () => {
    const { held, exports, finish } = recorder();
    let idle = 0;
    held.hold(1);
    const flush = held.flush();
    const work = held.exclusive(async () => {
      idle++;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(exports).toEqual([[1]]);
    expect(idle, 'ran while the export was in progress').toBe(0);
    finish();
    await Promise.all([flush, work]);
    expect(idle).toBe(1);
  });

  it('exports on its interval until stopped', async () => {
    const { held, exports, finish } = recorder();
    held.every(20);
    held.hold(7);
    await new Promise((r) => setTimeout(r, 60));
    expect(exports).toEqual([[7]]);
    finish();
    await held.flush();
    held.stopTimer();
    held.hold(8);
    await new Promise((r) => setTimeout(r, 60));
    expect(exports).toEqual([[7]]);
  });
});
