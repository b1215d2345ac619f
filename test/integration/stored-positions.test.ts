import { appendFile, copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon.js';
import type { InputPosition, Plugin, SendContext } from '../../src/plugin/contract.js';
import { DELIVERED, type EventResult } from '../../src/plugin/result.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { sample, testConfig, waitFor } from '../helpers/daemon.js';
import { responseLine } from '../helpers/lines.js';

/**
 * A backend that commits each batch's events and its input positions together (what a database
 * transaction gives the summaries plugin). It outlives the daemons that write to it.
 */
class TransactionalStore {
  readonly applied: string[] = [];
  readonly positions = new Map<string, InputPosition>();
  readonly contexts: SendContext[] = [];

  plugin(): Plugin {
    return {
      start: async () => undefined,
      stop: async () => undefined,
      send: async (batch: readonly CanonicalEvent[], _signal: AbortSignal, context?: SendContext) => {
        if (context === undefined) throw new Error('no context');
        this.contexts.push(context);
        for (const event of batch) this.applied.push(event.correlationId);
        for (const [id, position] of context.positions) this.positions.set(id, position);
        return batch.map((): EventResult => DELIVERED);
      },
      storedPositions: async () => new Map(this.positions),
    };
  }
}

let dir: string;
let daemon: Daemon | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-stored-'));
  await mkdir(join(dir, 'logs'));
});
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  await rm(dir, { recursive: true, force: true });
});

const log = () => join(dir, 'logs', 'apim_metrics.log');
const checkpoint = () => join(dir, 'state', 'checkpoint.json');

async function run(store: TransactionalStore, until: number): Promise<void> {
  daemon = new Daemon({
    config: testConfig(dir),
    logger: silentLogger(),
    version: 'test',
    plugins: { file: store.plugin() },
  });
  await daemon.start();
  await waitFor(() => store.applied.length >= until, 10_000, `${until} events applied`);
  await new Promise((r) => setTimeout(r, 300)); // anything more would arrive now
  await daemon.stop();
  daemon = undefined;
}

describe('a plugin that stores its input positions with its data (Plugin.storedPositions)', () => {
  it('is told where each batch ends, and resumes from its own store when the checkpoint is behind or lost', async () => {
    const store = new TransactionalStore();
    await writeFile(log(), `${['a', 'b', 'c'].map((id) => responseLine(id)).join('\n')}\n`);
    await run(store, 3);
    const size = (await stat(log())).size;
    const [position] = [...store.positions.values()];
    expect(position?.offset).toBe(size);
    expect(position?.path).toBe(log());
    expect(position?.fingerprint?.length).toBeGreaterThan(0);

    // The backend committed d and e, then the daemon died before its checkpoint said so: the
    // checkpoint of before d is what a restart finds.
    await copyFile(checkpoint(), join(dir, 'old-checkpoint.json'));
    await appendFile(log(), `${['d', 'e'].map((id) => responseLine(id)).join('\n')}\n`);
    await run(store, 5);
    await copyFile(join(dir, 'old-checkpoint.json'), checkpoint());
    await appendFile(log(), `${responseLine('f')}\n`);
    await run(store, 6);
    expect(store.applied).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);

    // The state directory lost: the store alone says where reading stands.
    await rm(join(dir, 'state'), { recursive: true });
    await appendFile(log(), `${responseLine('g')}\n`);
    await run(store, 7);
    expect(store.applied).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('holds back only that plugin while its backend cannot say where it stands', async () => {
    const store = new TransactionalStore();
    let answer: () => void = () => undefined;
    const reachable = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const plugin = store.plugin();
    const waiting: Plugin = {
      ...plugin,
      storedPositions: async () => {
        await reachable;
        return new Map(store.positions);
      },
    };
    await writeFile(log(), `${['a', 'b'].map((id) => responseLine(id)).join('\n')}\n`);
    daemon = new Daemon({
      config: testConfig(dir),
      logger: silentLogger(),
      version: 'test',
      plugins: { file: waiting },
    });
    await daemon.start();
    const delivered = async (id: string) =>
      sample(
        await (await fetch(`${daemon?.url}/metrics`)).text(),
        `gax_events_delivered_total{plugin="${id}"}`,
      );
    await waitFor(async () => (await delivered('prometheus')) === 2, 10_000, 'prometheus to get both events');
    const check = async () =>
      (
        (await (await fetch(`${daemon?.url}/readyz`)).json()) as {
          checks: Record<string, { detail?: string }>;
        }
      ).checks['plugin:file'];
    await waitFor(
      async () =>
        (await check())?.detail?.includes('waiting for its backend to say where it stands') === true,
      10_000,
      '/readyz to show the plugin waiting',
    );
    expect(store.applied).toEqual([]);
    answer();
    await waitFor(() => store.applied.length === 2, 10_000, 'the held-back plugin to catch up');
    expect(await check()).toEqual({ ok: true });
    await appendFile(log(), `${responseLine('c')}\n`);
    await waitFor(() => store.applied.length === 3, 10_000, 'the appended event');
    expect(store.applied).toEqual(['a', 'b', 'c']);
  });

  it('gives a plugin that cannot read its positions nothing, and the others everything', async () => {
    const store = new TransactionalStore();
    const broken: Plugin = {
      ...store.plugin(),
      storedPositions: () => Promise.reject(new Error('no such table')),
    };
    await writeFile(log(), `${responseLine('a')}\n`);
    daemon = new Daemon({
      config: testConfig(dir),
      logger: silentLogger(),
      version: 'test',
      plugins: { file: broken },
    });
    await daemon.start();
    await waitFor(
      async () =>
        sample(
          await (await fetch(`${daemon?.url}/metrics`)).text(),
          'gax_events_delivered_total{plugin="prometheus"}',
        ) === 1,
      10_000,
      'prometheus to get the event',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(store.applied).toEqual([]);
    const body = (await (await fetch(`${daemon?.url}/readyz`)).json()) as {
      checks: Record<string, { detail?: string }>;
    };
    expect(body.checks['plugin:file']?.detail).toMatch(
      /cannot read the positions it stored: .*no such table/,
    );
  });
});
