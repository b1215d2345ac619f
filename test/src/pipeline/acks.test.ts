import { describe, expect, it } from 'vitest';
import { AckTracker, type Positions } from '../../../src/pipeline/acks.js';

function tracker(lanes: string[]): { acks: AckTracker; commits: Record<string, number>[] } {
  const commits: Record<string, number>[] = [];
  const acks = new AckTracker(lanes, (p: Positions) => commits.push(Object.fromEntries(p)));
  return { acks, commits };
}

describe('AckTracker', () => {
  it('commits a batch only when every lane has acknowledged it', () => {
    const { acks, commits } = tracker(['es', 'file']);
    acks.open(0, new Map([['f', 100]]), false);
    acks.complete('file', 0);
    expect(commits).toEqual([]);
    acks.complete('es', 0);
    expect(commits).toEqual([{ f: 100 }]);
  });

  it('never commits past an unacknowledged earlier batch', () => {
    const { acks, commits } = tracker(['es']);
    acks.open(0, new Map([['f', 100]]), false);
    acks.open(1, new Map([['f', 200]]), false);
    acks.complete('es', 1);
    expect(commits).toEqual([]);
    acks.complete('es', 0);
    expect(commits).toEqual([{ f: 200 }]);
    expect(acks.inFlight).toBe(0);
  });

  it('commits empty batches (lines without events) as soon as those before them are done', () => {
    const { acks, commits } = tracker(['es']);
    acks.open(0, new Map([['f', 50]]), true);
    expect(commits).toEqual([{ f: 50 }]);
    acks.open(1, new Map([['f', 100]]), false);
    acks.open(2, new Map([['f', 150]]), true);
    expect(commits).toHaveLength(1);
    acks.complete('es', 1);
    expect(commits.at(-1)).toEqual({ f: 150 });
  });

  it('keeps positions of several files', () => {
    const { acks } = tracker(['es']);
    acks.open(0, new Map([['a', 10]]), true);
    acks.open(1, new Map([['b', 20]]), true);
    expect(Object.fromEntries(acks.committed)).toEqual({ a: 10, b: 20 });
  });

  it('refuses an acknowledgement for a batch it does not know', () => {
    const { acks } = tracker(['es']);
    expect(() => acks.complete('es', 7)).toThrow(/unknown batch/);
  });
});
