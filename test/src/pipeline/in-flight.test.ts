import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeadLetterWriter } from '../../../src/pipeline/dead-letter.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import { noopPipelineTelemetry } from '../../../src/pipeline/telemetry.js';
import type { Plugin } from '../../../src/plugin/contract.js';
import { allOf, DELIVERED, type EventResult } from '../../../src/plugin/result.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { testEvent } from '../../doubles/plugins.js';

/** A plugin whose sends stay open until the test releases them, one by one, in any order. */
class GatedPlugin implements Plugin {
  readonly maxInFlight?: number;
  readonly open: { batch: readonly CanonicalEvent[]; release: () => void }[] = [];
  peak = 0;
  #active = 0;

  constructor(maxInFlight?: number) {
    if (maxInFlight !== undefined) this.maxInFlight = maxInFlight;
  }

  async start(): Promise<void> {}

  async send(batch: readonly CanonicalEvent[]): Promise<readonly EventResult[]> {
    this.#active++;
    this.peak = Math.max(this.peak, this.#active);
    await new Promise<void>((release) => this.open.push({ batch, release }));
    this.#active--;
    return allOf(batch.length, DELIVERED);
  }

  async stop(): Promise<void> {}
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-inflight-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function pipelineFor(plugin: Plugin, commits: number[]): Pipeline {
  return new Pipeline({
    plugins: [{ id: 'gated', plugin }],
    batchMaxEvents: 2,
    batchMaxWaitMs: 1000,
    queueMaxBatches: 8,
    retry: { initialIntervalMs: 1, maxIntervalMs: 1, multiplier: 1, jitter: 0, maxElapsedMs: 0 },
    deadLetter: new DeadLetterWriter({ path: join(dir, 'dl.ndjson'), maxBytes: 1e6 }),
    telemetry: noopPipelineTelemetry,
    onCommit: (p) => commits.push(p.get('f') ?? 0),
  });
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('batches in flight', () => {
  it('sends up to maxInFlight batches at once and commits positions only in order', async () => {
    const plugin = new GatedPlugin(3);
    const commits: number[] = [];
    const pipeline = pipelineFor(plugin, commits);
    pipeline.start();
    for (let b = 0; b < 4; b++)
      await pipeline.accept([testEvent(2 * b), testEvent(2 * b + 1)], 'f', 100 * (b + 1));
    await settle();
    expect(plugin.open).toHaveLength(3);
    expect(plugin.peak).toBe(3);
    plugin.open[2]?.release();
    plugin.open[1]?.release();
    await settle();
    expect(commits).toEqual([]);
    plugin.open[0]?.release();
    await settle();
    expect(commits).toEqual([300]);
    expect(plugin.open).toHaveLength(4);
    plugin.open[3]?.release();
    await settle();
    expect(commits).toEqual([300, 400]);
    await pipeline.close(Date.now() + 1000);
  });

  it('keeps one batch in flight by default', async () => {
    const plugin = new GatedPlugin();
    const pipeline = pipelineFor(plugin, []);
    pipeline.start();
    for (let b = 0; b < 3; b++)
      await pipeline.accept([testEvent(2 * b), testEvent(2 * b + 1)], 'f', 100 * (b + 1));
    await settle();
    expect(plugin.open).toHaveLength(1);
    plugin.open[0]?.release();
    await settle();
    expect(plugin.open).toHaveLength(2);
    expect(plugin.peak).toBe(1);
    plugin.open[1]?.release();
    await settle();
    plugin.open[2]?.release();
    await pipeline.close(Date.now() + 1000);
  });
});
