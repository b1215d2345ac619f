import type { Clock } from '../../src/pipeline/retry.js';

/** A clock whose sleeps finish at once and advance time by the slept amount; records every delay. */
export class FakeClock implements Clock {
  time = 0;
  readonly sleeps: number[] = [];

  now(): number {
    return this.time;
  }

  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.sleeps.push(ms);
    this.time += ms;
  }
}
