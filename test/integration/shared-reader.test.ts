/**
 * One reader and one parse per input, shared by every plugin instance (src/sources/DESIGN.md,
 * "One reader per input"): an instance whose backend is down leaves the shared reader so that
 * it holds back nobody, reads on alone from where it stopped, and rejoins once caught up,
 * without a gap or a duplicate, also across a rotation while it reads alone.
 */
import { appendFile, copyFile, mkdir, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon.js';
import type { Plugin } from '../../src/plugin/contract.js';
import { DELIVERED, type EventResult, retryable } from '../../src/plugin/result.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { ScriptedPlugin } from '../doubles/plugins.js';
import { sample, testConfig, waitFor } from '../helpers/daemon.js';
import { responseLine } from '../helpers/lines.js';

let dir: string;
let daemon: Daemon | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-shared-'));
  await mkdir(join(dir, 'logs'));
});

afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  await rm(dir, { recursive: true, force: true });
});

const logPath = () => join(dir, 'logs', 'apim_metrics.log');
const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `e${from + i}`);
const lines = (from: number, to: number) =>
  `${ids(from, to)
    .map((id) => responseLine(id))
    .join('\n')}\n`;

async function metric(series: string): Promise<number> {
  return sample(await (await fetch(`${daemon?.url}/metrics`)).text(), series) ?? 0;
}

/** A backend that takes `ms` for every batch and delivers it: alive, but slower than the input. */
class SlowPlugin implements Plugin {
  readonly delivered: CanonicalEvent[] = [];
  constructor(readonly ms: number) {}
  async start(): Promise<void> {}
  async send(batch: readonly CanonicalEvent[]): Promise<readonly EventResult[]> {
    await new Promise((r) => setTimeout(r, this.ms));
    this.delivered.push(...batch);
    return batch.map(() => DELIVERED);
  }
  async stop(): Promise<void> {}
}

/** A daemon whose file plugin is a double that fails while `state.down` (prometheus is real). */
function startDaemon(
  state: { down: boolean },
  double?: Plugin,
  detachAfterMs = 200,
  workers = 0,
): { daemon: Daemon; file: ScriptedPlugin } {
  const file = new ScriptedPlugin(() => (state.down ? retryable('connection refused') : DELIVERED));
  const base = testConfig(dir);
  const config = {
    ...base,
    pipeline: {
      ...base.pipeline,
      batchMaxEvents: 10,
      queueMaxBatches: 2,
      detachAfterMs,
      workers,
      retry: { ...base.pipeline.retry, initialIntervalMs: 20, maxIntervalMs: 100 },
    },
  };
  const plugins = { file: double ?? file };
  return { daemon: new Daemon({ config, logger: silentLogger(), version: 'test', plugins }), file };
}

/** Starts {@link startDaemon} on a log of 20 lines and waits for the file plugin to have them. */
async function startWithFirst20(state: { down: boolean }, workers = 0): Promise<ScriptedPlugin> {
  const started = startDaemon(state, undefined, 200, workers);
  daemon = started.daemon;
  await writeFile(logPath(), lines(0, 20));
  await daemon.start();
  await waitFor(async () => started.file.delivered.length === 20, 10_000, 'file: first 20');
  return started.file;
}

describe('shared reader', () => {
  it.each([
    0, 2,
  ])('a plugin whose backend is down detaches, reads alone through a rotation, catches up and rejoins: every event once, in order (pipeline.workers %i)', async (workers) => {
    const state = { down: false };
    const file = await startWithFirst20(state, workers);
    expect(await metric('gax_input_own_readers{plugin="file"}')).toBe(0);
    expect(await metric('gax_parse_workers')).toBe(workers);

    // Down: prometheus keeps getting everything, also across a rename rotation.
    state.down = true;
    for (let i = 20; i < 120; i += 10) {
      await appendFile(logPath(), lines(i, i + 10));
      await new Promise((r) => setTimeout(r, 30));
    }
    await rename(logPath(), join(dir, 'logs', 'apim_metrics-1.log'));
    await writeFile(logPath(), lines(120, 200));
    await waitFor(
      async () => (await metric('gax_events_delivered_total{plugin="prometheus"}')) === 200,
      10_000,
      'prometheus: all 200 while file is down',
    );
    expect(await metric('gax_input_own_readers{plugin="file"}')).toBe(1);
    expect(await metric('gax_input_detaches_total{plugin="file"}')).toBe(1);
    expect(await metric('gax_input_own_readers{plugin="prometheus"}')).toBe(0);

    // Back up: caught up on its own reader, then back on the shared one.
    state.down = false;
    await waitFor(async () => file.delivered.length === 200, 10_000, 'file: caught up');
    await waitFor(
      async () => (await metric('gax_input_own_readers{plugin="file"}')) === 0,
      10_000,
      'file to rejoin',
    );
    await appendFile(logPath(), lines(200, 250));
    await waitFor(async () => file.delivered.length >= 250, 10_000, 'file: 250');
    await waitFor(
      async () => (await metric('gax_events_delivered_total{plugin="prometheus"}')) === 250,
      10_000,
      'prometheus: 250',
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(file.delivered.map((e) => e.correlationId)).toEqual(ids(0, 250));
    expect(await metric('gax_lines_read_total{plugin="file"}')).toBe(250);
    expect(await metric('gax_lines_read_total{plugin="prometheus"}')).toBe(250);
    expect(await metric('gax_input_detaches_total{plugin="file"}')).toBe(1);
    expect(await metric('gax_input_detaches_total{plugin="prometheus"}')).toBe(0);
    expect(await metric('gax_parse_worker_failures_total')).toBe(0);
  });

  it('copytruncate while a plugin reads alone: the copy is read from where the original was left, every event once', async () => {
    const state = { down: false };
    const file = await startWithFirst20(state);
    state.down = true;
    for (let i = 20; i < 100; i += 10) {
      await appendFile(logPath(), lines(i, i + 10));
      await new Promise((r) => setTimeout(r, 30));
    }
    await waitFor(
      async () => (await metric('gax_input_own_readers{plugin="file"}')) === 1,
      10_000,
      'file: detached',
    );
    // logrotate's copytruncate: copy, then truncate the original in place, which keeps growing.
    await copyFile(logPath(), join(dir, 'logs', 'apim_metrics-1.log'));
    await truncate(logPath(), 0);
    await appendFile(logPath(), lines(100, 150));
    await waitFor(
      async () => (await metric('gax_events_delivered_total{plugin="prometheus"}')) === 150,
      10_000,
      'prometheus: all 150',
    );
    state.down = false;
    await waitFor(async () => file.delivered.length >= 150, 15_000, 'file: caught up');
    await waitFor(
      async () => (await metric('gax_input_own_readers{plugin="file"}')) === 0,
      10_000,
      'file to rejoin',
    );
    await appendFile(logPath(), lines(150, 170));
    await waitFor(async () => file.delivered.length >= 170, 10_000, 'file: 170');
    await new Promise((r) => setTimeout(r, 300));
    expect([...file.delivered.map((e) => e.correlationId)].sort()).toEqual([...ids(0, 170)].sort());
    expect(file.delivered).toHaveLength(170);
    expect(await metric('gax_events_delivered_total{plugin="prometheus"}')).toBe(170);
  });

  it('a backend slower than the input does not pace the others: let go after detachAfterMs of a full queue (each wait shorter), it catches up alone and rejoins', async () => {
    // Each batch (a read chunk, ~400 lines) takes 150 ms: every wait for queue space is shorter
    // than detachAfterMs (500 ms), but the queue stays full while the backlog lasts.
    const slow = new SlowPlugin(150);
    daemon = startDaemon({ down: false }, slow, 500).daemon;
    await writeFile(logPath(), lines(0, 6000));
    await daemon.start();
    await waitFor(
      async () => (await metric('gax_events_delivered_total{plugin="prometheus"}')) === 6000,
      10_000,
      'prometheus: all 6,000 at its own speed',
    );
    expect(slow.delivered.length).toBeLessThan(4000);
    expect(await metric('gax_input_detaches_total{plugin="file"}')).toBe(1);
    await waitFor(async () => slow.delivered.length === 6000, 20_000, 'the slow plugin: all 6,000');
    await waitFor(async () => (await metric('gax_input_own_readers{plugin="file"}')) === 0, 10_000, 'rejoin');
    await appendFile(logPath(), lines(6000, 6100));
    await waitFor(async () => slow.delivered.length >= 6100, 10_000, 'the slow plugin: 6,100');
    await new Promise((r) => setTimeout(r, 300));
    expect(slow.delivered.map((e) => e.correlationId)).toEqual(ids(0, 6100));
    expect(await metric('gax_events_delivered_total{plugin="prometheus"}')).toBe(6100);
    expect(await metric('gax_lines_read_total{plugin="file"}')).toBe(6100);
    expect(await metric('gax_lines_read_total{plugin="prometheus"}')).toBe(6100);
  });
});
