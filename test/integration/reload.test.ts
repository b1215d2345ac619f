/**
 * `Daemon.reload` in process: what a reload restarts and what it leaves alone, rejections, a
 * plugin that cannot start with its new section, the HTTP server moving, the reader that keeps
 * rejected lines changing, and reloads racing a stop. The built CLI under SIGHUP with a writer
 * appending all along is in reload-cli.test.ts.
 */
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConfigResult, parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { Daemon } from '../../src/daemon.js';
import { RecordingPlugin } from '../doubles/plugins.js';
import { readNdjson, sample, testConfig, waitFor } from '../helpers/daemon.js';
import { responseLine, truncatedLine } from '../helpers/lines.js';
import { createSandbox, OutputReader, RotatingWriter, sleep, waitForIds } from '../helpers/tail-harness.js';

let dir: string;
let daemon: Daemon | undefined;
let appender: Appender | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-reload-'));
  await mkdir(join(dir, 'logs'));
});
afterEach(async () => {
  await appender?.stop();
  appender = undefined;
  await daemon?.stop();
  daemon = undefined;
  await rm(dir, { recursive: true, force: true });
});

const logPath = () => join(dir, 'logs', 'apim_metrics.log');
const outPath = (name = 'events.ndjson') => join(dir, 'out', name);
const ok = (config: Config): ConfigResult => ({ ok: true, config, warnings: [] });

/** The test config (file + prometheus, port 0) with `edit` applied to a copy. */
function config(edit: (c: Config) => void = () => undefined): Config {
  const c = structuredClone(testConfig(dir));
  edit(c);
  return c;
}

/** A logger keeping its records, to assert on what an operator reads. */
function recordingLogger(): { logger: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => records.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, records };
}

async function start(c: Config, options: { logger?: Logger } = {}): Promise<Daemon> {
  daemon = new Daemon({ config: c, logger: options.logger ?? pino({ level: 'silent' }), version: 'test' });
  await daemon.start();
  return daemon;
}

async function metrics(d: Daemon): Promise<string> {
  return (await fetch(`${d.url}/metrics`)).text();
}

/** Sum of every sample of `name` (all label sets). */
function total(exposition: string, name: string): number {
  return exposition
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Appends one response line every few milliseconds until stopped; remembers the ids. */
class Appender {
  readonly ids: string[] = [];
  #running: Promise<void> | undefined;
  #stop = false;

  start(prefix: string): this {
    this.#running = (async () => {
      for (let i = 0; !this.#stop; i++) {
        const id = `${prefix}-${i}`;
        await appendFile(logPath(), `${responseLine(id)}\n`);
        this.ids.push(id);
        await new Promise((r) => setTimeout(r, 3));
      }
    })();
    return this;
  }

  async stop(): Promise<void> {
    this.#stop = true;
    await this.#running;
  }
}

/** correlationId → times seen, over the file plugin's outputs. */
async function deliveries(...paths: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const path of paths) {
    for (const e of await readNdjson<{ correlationId: string }>(path))
      counts.set(e.correlationId, (counts.get(e.correlationId) ?? 0) + 1);
  }
  return counts;
}

async function expectExactlyOnce(ids: readonly string[], ...paths: string[]): Promise<void> {
  await waitFor(async () => (await deliveries(...paths)).size >= ids.length, 15_000, 'every event');
  await new Promise((r) => setTimeout(r, 150)); // time for a duplicate to show up
  const counts = await deliveries(...paths);
  expect(
    [...counts].filter(([, n]) => n !== 1),
    'events delivered more than once',
  ).toEqual([]);
  expect([...counts.keys()].sort()).toEqual([...ids].sort());
}

describe('Daemon.reload', () => {
  it('restarts only a changed plugin: the file plugin moves while lines are appended, prometheus counts on', async () => {
    await writeFile(logPath(), `${responseLine('first')}\n`);
    const d = await start(config());
    await waitFor(async () => (await deliveries(outPath())).size === 1);
    appender = new Appender().start('live');
    await new Promise((r) => setTimeout(r, 150));

    const outcome = await d.reload(
      ok(
        config((c) => {
          c.plugins.file.path = outPath('moved.ndjson');
        }),
      ),
    );
    expect(outcome).toEqual({ result: 'applied', changes: ['plugins.file'], problems: [] });
    await new Promise((r) => setTimeout(r, 150));
    await appender.stop();

    const ids = ['first', ...appender.ids];
    await expectExactlyOnce(ids, outPath(), outPath('moved.ndjson'));
    expect((await deliveries(outPath('moved.ndjson'))).size, 'events written after the move').toBeGreaterThan(
      0,
    );
    // The prometheus plugin never restarted: its counters hold every event, not only the later ones.
    await waitFor(
      async () => total(await metrics(d), 'apim_requests_total') === ids.length,
      5000,
      'apim counts',
    );
    const text = await metrics(d);
    expect(sample(text, 'gax_events_delivered_total{plugin="prometheus"}')).toBe(ids.length);
    expect(sample(text, 'gax_events_delivered_total{plugin="file"}')).toBe(ids.length);
    expect(sample(text, 'gax_config_reloads_total{result="applied"}')).toBe(1);
    expect(sample(text, 'gax_config_last_reload_successful')).toBe(1);
    expect(d.counts().file?.delivered).toBe(ids.length);
  });

  it('restarts every reader but no plugin when batching changes', async () => {
    const recording = new RecordingPlugin();
    const { logger, records } = recordingLogger();
    await writeFile(logPath(), `${responseLine('a')}\n`);
    daemon = new Daemon({
      config: config(),
      logger,
      version: 'test',
      plugins: { file: recording },
    });
    const d = daemon;
    await d.start();
    await waitFor(() => recording.received.length === 1);
    appender = new Appender().start('b');
    await new Promise((r) => setTimeout(r, 100));
    const outcome = await d.reload(
      ok(
        config((c) => {
          c.pipeline.batchMaxEvents = 2;
        }),
      ),
    );
    expect(outcome.changes).toEqual(['pipeline.batchMaxEvents']);
    await new Promise((r) => setTimeout(r, 100));
    await appender.stop();
    const ids = ['a', ...appender.ids];
    await waitFor(() => recording.received.length >= ids.length, 10_000, 'every event');
    await new Promise((r) => setTimeout(r, 150));
    expect(recording.received.map((e) => e.correlationId)).toEqual(ids);
    expect(recording.stopped, 'the plugin was not stopped').toBe(0);
    const opened = records.filter((r) => r.msg === 'Following input file.');
    // One shared reader for both plugins (file, prometheus): opened at start and again after the reload.
    expect(opened, 'the reader opened the log again').toHaveLength(2);
    await waitFor(
      async () => total(await metrics(d), 'apim_requests_total') === ids.length,
      5000,
      'apim counts',
    );
  });

  it.each([
    ['a YAML error', 'inputs: [\n', /^\d+:\d+ .*\[GAX_ERR_CONFIG_YAML\]$/],
    [
      'a schema error',
      'inputs: [{ paths: [x] }]\npipeline: { batchMaxEvents: 0 }\n',
      /pipeline\.batchMaxEvents: /,
    ],
  ])('rejects a configuration with %s, logs every problem and keeps running', async (_, yaml, problem) => {
    const { logger, records } = recordingLogger();
    const d = await start(config(), { logger });
    const outcome = await d.reload(parseConfig(yaml, { env: {} }));
    expect(outcome.result).toBe('rejected');
    expect(outcome.problems).toEqual([expect.stringMatching(problem)]);
    const error = records.find((r) => r.code === 'GAX_ERR_RELOAD_INVALID');
    expect(error).toMatchObject({ level: 50, problems: outcome.problems });
    const text = await metrics(d);
    expect(sample(text, 'gax_config_reloads_total{result="rejected"}')).toBe(1);
    expect(sample(text, 'gax_config_last_reload_successful')).toBe(0);
    await writeFile(logPath(), `${responseLine('after')}\n`);
    await expectExactlyOnce(['after'], outPath());
  });

  it('rejects a change of state.dir, naming it, and keeps running; the next valid reload applies', async () => {
    const { logger, records } = recordingLogger();
    const d = await start(config(), { logger });
    const moved = await d.reload(
      ok(
        config((c) => {
          c.state.dir = join(dir, 'other-state');
        }),
      ),
    );
    expect(moved).toMatchObject({
      result: 'rejected',
      problems: [expect.stringMatching(/^state\.dir: .*restart/)],
    });
    expect(records.find((r) => r.code === 'GAX_ERR_RELOAD_RESTART')).toMatchObject({ level: 50 });
    const applied = await d.reload(
      ok(
        config((c) => {
          c.log.level = 'debug';
        }),
      ),
    );
    expect(applied.result).toBe('applied');
    expect(logger.level, 'log level applied live').toBe('debug');
    const text = await metrics(d);
    expect(sample(text, 'gax_config_reloads_total{result="rejected"}')).toBe(1);
    expect(sample(text, 'gax_config_reloads_total{result="applied"}')).toBe(1);
    expect(sample(text, 'gax_config_last_reload_successful')).toBe(1);
  });

  it('starts a plugin again with its previous section when the new one cannot start', async () => {
    const { logger, records } = recordingLogger();
    await writeFile(join(dir, 'not-a-dir'), '');
    const d = await start(config(), { logger });
    await writeFile(logPath(), `${responseLine('a')}\n`);
    await waitFor(async () => (await deliveries(outPath())).size === 1);
    const broken = config((c) => {
      c.plugins.file.path = join(dir, 'not-a-dir', 'events.ndjson');
    });
    const outcome = await d.reload(ok(broken));
    expect(outcome).toMatchObject({
      result: 'failed',
      problems: [expect.stringMatching(/^plugins\.file: .*failed to start/)],
    });
    expect(records.filter((r) => r.code === 'GAX_ERR_RELOAD_FAILED').length).toBeGreaterThan(0);
    await appendFile(logPath(), `${responseLine('b')}\n`);
    await expectExactlyOnce(['a', 'b'], outPath());
    expect(sample(await metrics(d), 'gax_config_reloads_total{result="failed"}')).toBe(1);
    // The effective config is the previous section: reloading the broken one again tries again.
    expect((await d.reload(ok(broken))).result).toBe('failed');
    expect((await d.reload(ok(config()))).changes).toEqual([]);
  });

  it('turns parse workers on and off (pipeline.workers): every reader restarts, every event once', async () => {
    await writeFile(logPath(), `${responseLine('a')}\n`);
    const d = await start(config());
    await expectExactlyOnce(['a'], outPath());
    const workers = (n: number) =>
      config((c) => {
        c.pipeline.workers = n;
      });
    expect(await d.reload(ok(workers(2)))).toMatchObject({
      result: 'applied',
      changes: ['pipeline.workers'],
    });
    await appendFile(logPath(), `${responseLine('b')}\n${responseLine('c')}\n`);
    await expectExactlyOnce(['a', 'b', 'c'], outPath());
    expect(await d.reload(ok(workers(0)))).toMatchObject({
      result: 'applied',
      changes: ['pipeline.workers'],
    });
    await appendFile(logPath(), `${responseLine('d')}\n`);
    await expectExactlyOnce(['a', 'b', 'c', 'd'], outPath());
    expect(sample(await metrics(d), 'gax_events_delivered_total{plugin="prometheus"}')).toBe(4);
  });

  it('moves the HTTP server to a new port without resetting counters', async () => {
    await writeFile(logPath(), `${responseLine('a')}\n`);
    const d = await start(config());
    await waitFor(async () => sample(await metrics(d), 'gax_events_delivered_total{plugin="file"}') === 1);
    const before = d.url as string;
    const port = Number(new URL(before).port) + 1;
    const outcome = await d.reload(
      ok(
        config((c) => {
          c.server.port = port;
        }),
      ),
    );
    expect(outcome).toMatchObject({ result: 'applied', changes: ['server.port'] });
    expect(d.url).toBe(`http://127.0.0.1:${port}`);
    await expect(fetch(`${before}/healthz`)).rejects.toThrow();
    expect(sample(await metrics(d), 'gax_events_delivered_total{plugin="file"}')).toBe(1);
  });

  it('hands the keeping of rejected lines to another reader when its plugin is disabled', async () => {
    await writeFile(logPath(), `${truncatedLine('bad-1')}\n${responseLine('a')}\n`);
    const d = await start(config());
    await waitFor(
      async () => sample(await metrics(d), 'gax_events_delivered_total{plugin="prometheus"}') === 1,
    );
    const outcome = await d.reload(
      ok(
        config((c) => {
          c.plugins.file.enabled = false;
        }),
      ),
    );
    expect(outcome).toMatchObject({ result: 'applied', changes: ['plugins.file'] });
    await appendFile(logPath(), `${truncatedLine('bad-2')}\n${responseLine('b')}\n`);
    await waitFor(
      async () => sample(await metrics(d), 'gax_events_delivered_total{plugin="prometheus"}') === 2,
    );
    const dead = await readNdjson<{ stage: string; line: string }>(join(dir, 'state', 'dead-letter.ndjson'));
    expect(dead.map((r) => r.stage)).toEqual(['parse', 'parse']);
    const text = await metrics(d);
    expect(text).not.toMatch(/^gax_plugin_up\{plugin="file"\}/m);
  });

  it('reload-storm: 24 reloads cycling batching, the file output and prometheus while a writer appends and rotates lose and repeat nothing', async () => {
    const box = createSandbox(dir);
    const alt = join(dir, 'out', 'alt.ndjson');
    const variant = (k: number): Config => {
      const c = config((c) => {
        c.inputs = [{ ...(c.inputs[0] as Config['inputs'][number]), paths: [box.log] }];
        c.server.enabled = false;
      });
      if (k === 1 || k === 2) c.plugins.file.path = alt;
      if (k === 0 || k === 1) c.pipeline.batchMaxEvents = 7;
      if (k === 2) c.plugins.prometheus.enabled = false;
      return c;
    };
    const w = new RotatingWriter(box, { seed: 3, linesPerSecond: 2500, rotateEvery: 150 });
    w.append(20);
    const d = await start(variant(3));
    const readers = [new OutputReader(outPath()), new OutputReader(alt)];
    await waitForIds(readers[0] as OutputReader, w.ids, 10_000);
    w.start();
    try {
      for (let n = 0; n < 24; n++) {
        await sleep(60 + ((n * 37) % 120));
        expect((await d.reload(ok(variant(n % 4)))).result).toBe('applied');
      }
    } finally {
      w.stop();
    }
    const missing = (): string[] => {
      const seen = new Set(readers.flatMap((r) => [...r.poll().counts.keys()]));
      return w.ids.filter((id) => !seen.has(id));
    };
    await waitFor(() => missing().length === 0, 30_000, 'every written event').catch(() => {
      const gone = missing();
      const files = [...new Set(gone.map((id) => w.fileOf.get(id)))];
      throw new Error(
        `${gone.length} of ${w.ids.length} events missing, from generations ${files.join(',')}`,
      );
    });
    await sleep(300);
    const counts = new Map<string, number>();
    for (const r of readers)
      for (const [id, n] of r.poll(true).counts) counts.set(id, (counts.get(id) ?? 0) + n);
    const twice = new Map<number | undefined, number>();
    for (const [id, n] of counts) {
      if (n > 1) twice.set(w.fileOf.get(id), (twice.get(w.fileOf.get(id)) ?? 0) + n - 1);
    }
    expect(Object.fromEntries(twice), 'extra deliveries by file generation').toEqual({});
    expect(counts.size).toBe(w.ids.length);
    expect(readers.flatMap((r) => r.corrupt)).toEqual([]);
    expect(w.rotations).toBeGreaterThan(10);
  }, 60_000);

  it('lets stop wait for a reload under way, and ignores one asked for while stopping', async () => {
    const d = await start(config());
    const reloading = d.reload(
      ok(
        config((c) => {
          c.plugins.prometheus.enabled = false;
        }),
      ),
    );
    await new Promise((r) => setImmediate(r)); // under way: past its first step
    const stopping = d.stop();
    const late = d.reload(ok(config()));
    expect((await reloading).result).toBe('applied');
    await stopping;
    expect((await late).result).toBe('ignored');
    daemon = undefined;
  });
});
