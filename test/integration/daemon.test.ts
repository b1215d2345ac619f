import { appendFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon.js';
import { retryable } from '../../src/plugin/result.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { HangingPlugin, ScriptedPlugin } from '../doubles/plugins.js';
import { readNdjson, sample, testConfig, waitFor } from '../helpers/daemon.js';
import { faultyLine, INIT_LINE, responseLine, truncatedLine } from '../helpers/lines.js';

let dir: string;
let daemon: Daemon | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-daemon-'));
  await mkdir(join(dir, 'logs'));
});
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function startDaemon(): Promise<Daemon> {
  daemon = new Daemon({ config: testConfig(dir), logger: silentLogger(), version: 'test' });
  await daemon.start();
  return daemon;
}

const events = () =>
  readNdjson<{ correlationId: string; eventType: string }>(join(dir, 'out', 'events.ndjson'));
const logPath = () => join(dir, 'logs', 'apim_metrics.log');

describe('daemon end to end', () => {
  it('delivers every event of a log to the file plugin and counts it on /metrics', async () => {
    const lines = [
      INIT_LINE,
      responseLine('r1'),
      faultyLine('f1'),
      truncatedLine('bad'),
      '',
      responseLine('r2'),
    ];
    await writeFile(logPath(), `${lines.join('\n')}\n`);
    const d = await startDaemon();
    await waitFor(async () => (await events()).length === 3, 10_000, 'three events');
    expect((await events()).map((e) => e.correlationId)).toEqual(['r1', 'f1', 'r2']);

    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    expect(sample(metrics, 'gax_events_delivered_total{plugin="file"}')).toBe(3);
    expect(sample(metrics, 'gax_events_delivered_total{plugin="prometheus"}')).toBe(3);
    for (const plugin of ['file', 'prometheus']) {
      expect(sample(metrics, `gax_lines_rejected_total{plugin="${plugin}",reason="truncated_json"}`)).toBe(1);
      expect(sample(metrics, `gax_lines_read_total{plugin="${plugin}"}`)).toBe(6);
    }
    expect(metrics).toMatch(/apim_requests_total\{[^}]*event_type="faulty"[^}]*\} 1/);

    const dead = await readNdjson<{ stage: string; reason: string; line: string }>(
      join(dir, 'state', 'dead-letter.ndjson'),
    );
    expect(dead).toEqual([expect.objectContaining({ stage: 'parse', reason: 'truncated_json' })]);
  });

  it('follows lines appended while running, including one written in two parts', async () => {
    await writeFile(logPath(), `${responseLine('a')}\n`);
    await startDaemon();
    await waitFor(async () => (await events()).length === 1);
    const line = responseLine('b');
    await appendFile(logPath(), line.slice(0, 100));
    await new Promise((r) => setTimeout(r, 100));
    expect(await events()).toHaveLength(1);
    await appendFile(logPath(), `${line.slice(100)}\n${faultyLine('c')}\n`);
    await waitFor(async () => (await events()).length === 3);
    expect((await events()).map((e) => e.correlationId)).toEqual(['a', 'b', 'c']);
  });

  it('answers /healthz and /readyz once started and saves the checkpoint at the end of the file on stop', async () => {
    await writeFile(logPath(), `${responseLine('a')}\n${responseLine('b')}\n`);
    const d = await startDaemon();
    expect((await fetch(`${d.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${d.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { 'plugin:file': { ok: true } } });
    await waitFor(async () => (await events()).length === 2);
    await d.stop();
    const checkpoint = JSON.parse(await readFile(join(dir, 'state', 'checkpoint.json'), 'utf8')) as {
      plugins: Record<string, { files: Record<string, { offset: number; path: string }> }>;
    };
    const size = (await stat(logPath())).size;
    expect(Object.keys(checkpoint.plugins).sort()).toEqual(['file', 'prometheus']);
    for (const section of Object.values(checkpoint.plugins)) {
      expect(Object.values(section.files)).toEqual([
        {
          offset: size,
          path: logPath(),
          fingerprint: { length: 1024, hash: expect.stringMatching(/^[0-9a-f]{32}$/) },
        },
      ]);
    }
  });

  it('resumes from the checkpoint after restarts without losing or duplicating events', async () => {
    await writeFile(logPath(), `${responseLine('a')}\n${responseLine('b')}\n`);
    await (await startDaemon()).stop(); // stopped before reading: nothing was committed
    const second = await startDaemon();
    await waitFor(async () => (await events()).length === 2);
    await second.stop();
    await appendFile(logPath(), `${responseLine('c')}\n`);
    await startDaemon();
    await waitFor(async () => (await events()).length >= 3);
    await new Promise((r) => setTimeout(r, 200));
    expect((await events()).map((e) => e.correlationId)).toEqual(['a', 'b', 'c']);
  });

  it('keeps delivering to one plugin while another cannot, and catches the other up after a restart', async () => {
    await writeFile(logPath(), `${responseLine('a')}\n`);
    const down = new ScriptedPlugin(() => retryable('connection refused'));
    daemon = new Daemon({
      config: testConfig(dir),
      logger: silentLogger(),
      version: 'test',
      plugins: { file: down },
    });
    await daemon.start();
    for (let i = 0; i < 50; i++) await appendFile(logPath(), `${responseLine(`b${i}`)}\n`);
    const delivered = async (plugin: string) =>
      sample(
        await (await fetch(`${daemon?.url}/metrics`)).text(),
        `gax_events_delivered_total{plugin="${plugin}"}`,
      );
    await waitFor(async () => (await delivered('prometheus')) === 51, 10_000, 'prometheus to get all 51');
    expect(down.delivered).toHaveLength(0);
    await daemon.stop();
    daemon = undefined;

    const restarted = await startDaemon();
    await waitFor(async () => (await events()).length === 51, 10_000, 'the file plugin to catch up');
    await new Promise((r) => setTimeout(r, 200));
    const text = await (await fetch(`${restarted.url}/metrics`)).text();
    expect(sample(text, 'gax_events_delivered_total{plugin="prometheus"}')).toBe(0);
    expect(sample(text, 'gax_events_delivered_total{plugin="file"}')).toBe(51);
    // The shared reader started at prometheus's checkpoint (the end); file read its 51 lines
    // alone from its own, then joined the shared reader: lines appended now reach both once.
    const metric = async (series: string) =>
      sample(await (await fetch(`${restarted.url}/metrics`)).text(), series);
    await waitFor(
      async () => (await metric('gax_input_own_readers{plugin="file"}')) === 0,
      10_000,
      'file to join',
    );
    expect(await metric('gax_input_own_readers{plugin="prometheus"}')).toBe(0);
    await appendFile(logPath(), `${responseLine('z')}\n`);
    await waitFor(async () => (await events()).length === 52, 10_000, 'file: the appended line');
    await waitFor(
      async () => (await metric('gax_events_delivered_total{plugin="prometheus"}')) === 1,
      10_000,
      'prometheus: the appended line',
    );
    expect(await metric('gax_lines_read_total{plugin="file"}')).toBe(52);
    expect(await metric('gax_lines_read_total{plugin="prometheus"}')).toBe(1);
    expect(await metric('gax_input_detaches_total{plugin="file"}')).toBe(0);
  });

  it("skips events older than a plugin's maxEventAge for that plugin only, and counts them", async () => {
    await writeFile(logPath(), `${responseLine('old-1')}\n${responseLine('old-2')}\n`);
    const config = testConfig(dir);
    const prometheus = { ...config.plugins.prometheus, maxEventAge: '5m' };
    daemon = new Daemon({
      config: { ...config, plugins: { ...config.plugins, prometheus } },
      logger: silentLogger(),
      version: 'test',
    });
    await daemon.start();
    await waitFor(async () => (await events()).length === 2);
    const url = daemon.url;
    await waitFor(async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return sample(text, 'gax_events_skipped_total{plugin="prometheus",reason="too_old"}') === 2;
    });
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(sample(text, 'gax_events_delivered_total{plugin="prometheus"}')).toBe(0);
    expect(text).not.toMatch(/^apim_requests_total\{/m);
  });

  it('stops promptly while a full queue holds the reader (backend hangs), then delivers everything once after a restart', async () => {
    const base = testConfig(dir);
    const config = { ...base, pipeline: { ...base.pipeline, batchMaxEvents: 1, queueMaxBatches: 1 } };
    const hanging = new HangingPlugin();
    daemon = new Daemon({ config, logger: silentLogger(), version: 'test', plugins: { file: hanging } });
    await daemon.start();
    await appendFile(
      logPath(),
      `${Array.from({ length: 500 }, (_, i) => responseLine(`q${i}`)).join('\n')}\n`,
    );
    const url = daemon.url;
    const queued = async () =>
      sample(await (await fetch(`${url}/metrics`)).text(), 'gax_plugin_queue_batches{plugin="file"}');
    await waitFor(async () => (await queued()) === 1, 10_000, 'the queue to fill');
    await new Promise((r) => setTimeout(r, 100)); // the reader now waits in accept
    const stopping = Date.now();
    await daemon.stop(500);
    daemon = undefined;
    expect(Date.now() - stopping).toBeLessThan(5_000);

    const restarted = await startDaemon();
    await waitFor(async () => (await events()).length >= 500, 20_000, 'all 500 events');
    await new Promise((r) => setTimeout(r, 200));
    const ids = (await events()).map((e) => e.correlationId);
    expect(new Set(ids).size).toBe(500);
    expect(ids).toHaveLength(500);
    expect(restarted.counts().file?.delivered).toBe(500);
  });

  it('abandons a plugin whose stop() never returns at the shutdown deadline, logging GAX_ERR_PLUGIN_STOP', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const stuck = new HangingPlugin();
    stuck.stop = () => new Promise<void>(() => undefined); // never settles
    daemon = new Daemon({ config: testConfig(dir), logger, version: 'test', plugins: { file: stuck } });
    await daemon.start();
    const stopping = Date.now();
    await daemon.stop(300);
    daemon = undefined;
    const took = Date.now() - stopping;
    expect(took).toBeGreaterThanOrEqual(300); // it did wait for the deadline …
    expect(took).toBeLessThan(5_000); // … and not for ever
    const records = lines.map((l) => JSON.parse(l) as { code?: string; plugin?: string; msg: string });
    expect(records).toContainEqual(
      expect.objectContaining({
        code: 'GAX_ERR_PLUGIN_STOP',
        plugin: 'file',
        msg: expect.stringContaining('abandoned'),
      }),
    );
    expect(records.at(-1)?.msg).toBe('Daemon stopped.');
  });

  it('reads a log file that appears after start', async () => {
    await startDaemon();
    await new Promise((r) => setTimeout(r, 50));
    await writeFile(logPath(), `${responseLine('late')}\n`);
    await waitFor(async () => (await events()).length === 1);
  });
});
