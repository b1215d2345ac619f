import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeadLetterWriter } from '../../../src/pipeline/dead-letter.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import { noopPipelineTelemetry } from '../../../src/pipeline/telemetry.js';
import { HangingPlugin, RecordingPlugin, testEvent } from '../../doubles/plugins.js';

describe('pipeline backpressure and shutdown', () => {
  it('makes accept wait while a lane is full and leaves unacknowledged batches uncommitted at stop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gax-bp-'));
    const good = new RecordingPlugin();
    const commits: number[] = [];
    const pipeline = new Pipeline({
      plugins: [
        { id: 'good', plugin: good },
        { id: 'hang', plugin: new HangingPlugin() },
      ],
      batchMaxEvents: 10,
      batchMaxWaitMs: 1000,
      queueMaxBatches: 2,
      retry: { initialIntervalMs: 1, maxIntervalMs: 1, multiplier: 1, jitter: 0, maxElapsedMs: 0 },
      deadLetter: new DeadLetterWriter({ path: join(dir, 'dl.ndjson'), maxBytes: 1e6 }),
      telemetry: noopPipelineTelemetry,
      onCommit: (p) => commits.push(p.get('f') ?? 0),
    });
    pipeline.start();
    const events = (from: number) => Array.from({ length: 10 }, (_, i) => testEvent(from + i));
    await pipeline.accept(events(0), 'f', 100);
    await pipeline.accept(events(10), 'f', 200);
    let third = false;
    const pending = pipeline.accept(events(20), 'f', 300).then(() => {
      third = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(third).toBe(false);
    expect(good.received).toHaveLength(20);
    await pipeline.close(Date.now() + 100);
    await pending;
    expect(commits).toEqual([]);
    expect(pipeline.committed.get('f')).toBeUndefined();
    await rm(dir, { recursive: true, force: true });
  });
});
