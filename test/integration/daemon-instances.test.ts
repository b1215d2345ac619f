/**
 * Named plugin instances at runtime (issue 16, point 3): `file` and `file/copy`, `prometheus` and
 * `prometheus/detailed`, `datadog` and `datadog/eu` run side by side in one daemon, each with its
 * own reader, checkpoint entry, `plugin` metric label and state file; a restart resumes each from
 * its own position. The same runs show that no log line repeats a key (issue 16, point 6).
 */
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { Daemon } from '../../src/daemon.js';
import { readNdjson, sample, waitFor } from '../helpers/daemon.js';
import { type DatadogReceiver, startDatadogReceiver } from '../helpers/datadog-receiver.js';
import { responseLine } from '../helpers/lines.js';

let dir: string;
let daemon: Daemon | undefined;
let receiver: DatadogReceiver;
/** Every raw log line of every daemon of the test. */
let lines: string[];

beforeAll(async () => {
  receiver = await startDatadogReceiver({ apiKey: 'test-api-key' });
});
afterAll(async () => {
  await receiver?.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-instances-'));
  await mkdir(join(dir, 'logs'));
  lines = [];
});
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  receiver.reset();
  await rm(dir, { recursive: true, force: true });
});

/** A config with `file` (and, unless `copy` is false, `file/copy`), two prometheus and two datadog instances. */
function config(copy: boolean): Config {
  const q = JSON.stringify;
  const datadog = `apiKey: test-api-key, url: ${q(receiver.url)}, env: test, flushIntervalSeconds: 60`;
  const yaml = [
    'inputs:',
    `  - paths: [${q(join(dir, 'logs', 'apim_metrics.log'))}]`,
    '    pollIntervalMs: 20',
    `state: { dir: ${q(join(dir, 'state'))} }`,
    'server: { host: 127.0.0.1, port: 0 }',
    'pipeline: { batchMaxWaitMs: 10, shutdownTimeoutMs: 2000 }',
    'log: { level: info, format: json }',
    'plugins:',
    `  file: { enabled: true, path: ${q(join(dir, 'out', 'file.ndjson'))} }`,
    `  file/copy: { enabled: ${copy}, path: ${q(join(dir, 'out', 'copy.ndjson'))} }`,
    '  prometheus: { enabled: true, maxEventAge: 0s }',
    '  prometheus/detailed: { maxEventAge: 0s, metricPrefix: apim_detailed, labels: { application: true } }',
    `  datadog: { enabled: true, ${datadog} }`,
    `  datadog/eu: { ${datadog}, tls: { rejectUnauthorized: false } }`,
  ].join('\n');
  const loaded = parseConfig(yaml, { env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.config;
}

async function start(copy: boolean): Promise<Daemon> {
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  daemon = new Daemon({ config: config(copy), logger, version: 'test' });
  await daemon.start();
  return daemon;
}

async function stop(): Promise<void> {
  await daemon?.stop();
  daemon = undefined;
}

const ids = (name: string) =>
  readNdjson<{ correlationId: string }>(join(dir, 'out', name)).then((events) =>
    events.map((e) => e.correlationId),
  );
const log = (from: number, to: number) =>
  appendFile(
    join(dir, 'logs', 'apim_metrics.log'),
    Array.from({ length: to - from }, (_, i) => `${responseLine(`r${from + i}`)}\n`).join(''),
  );
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `r${from + i}`);

async function checkpointPlugins(): Promise<Record<string, unknown>> {
  const saved = JSON.parse(await readFile(join(dir, 'state', 'checkpoint.json'), 'utf8')) as {
    plugins: Record<string, unknown>;
  };
  return saved.plugins;
}

describe('named plugin instances', () => {
  it('gives file/copy every event on its own reader, checkpoint entry and label, and resumes each from its own position', async () => {
    // Run 1: file/copy disabled; file reads r0..r4.
    await writeFile(join(dir, 'logs', 'apim_metrics.log'), '');
    await log(0, 5);
    await start(false);
    await waitFor(async () => (await ids('file.ndjson')).length === 5, 10_000, 'file: 5 events');
    await stop();
    expect(Object.keys(await checkpointPlugins())).not.toContain('file/copy');

    // Run 2: file/copy enabled; it starts at the beginning while file resumes after r4.
    await log(5, 8);
    let d = await start(true);
    await waitFor(async () => (await ids('copy.ndjson')).length === 8, 10_000, 'file/copy: 8 events');
    await waitFor(async () => (await ids('file.ndjson')).length === 8, 10_000, 'file: 8 events');
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    expect(sample(metrics, 'gax_events_delivered_total{plugin="file"}')).toBe(3);
    expect(sample(metrics, 'gax_events_delivered_total{plugin="file/copy"}')).toBe(8);
    expect(sample(metrics, 'gax_plugin_up{plugin="file/copy"}')).toBe(1);
    // Two prometheus instances: each its own metric names and labels.
    const total = (name: string) =>
      metrics
        .split('\n')
        .filter((l) => l.startsWith(`${name}{`))
        .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
    // Both ran in run 1 too, so each counts this run's three events (counters start with the process).
    expect(total('apim_requests_total')).toBe(3);
    expect(total('apim_detailed_requests_total')).toBe(3);
    expect(metrics).toMatch(/^apim_detailed_requests_total\{[^}]*application="/m);
    expect(metrics).not.toMatch(/^apim_requests_total\{[^}]*application="/m);
    // Two datadog instances: shared self-metrics, one label each.
    expect(sample(metrics, 'gax_datadog_points_total{plugin="datadog",type="count"}')).toBeDefined();
    expect(sample(metrics, 'gax_datadog_points_total{plugin="datadog/eu",type="count"}')).toBeDefined();
    await stop();
    const plugins = await checkpointPlugins();
    for (const id of ['file', 'file/copy', 'prometheus', 'prometheus/detailed', 'datadog', 'datadog/eu'])
      expect(Object.keys(plugins)).toContain(id);
    expect((await readdir(join(dir, 'state'))).filter((f) => f.startsWith('datadog-')).sort()).toEqual([
      'datadog-datadog.eu.json',
      'datadog-datadog.json',
    ]);

    // Run 3: each resumes from its own position: nothing read twice, nothing lost.
    await log(8, 10);
    d = await start(true);
    await waitFor(async () => (await ids('copy.ndjson')).length === 10, 10_000, 'file/copy: 10 events');
    await waitFor(async () => (await ids('file.ndjson')).length === 10, 10_000, 'file: 10 events');
    // The file is written before send() returns and the counter moves: wait for both counters.
    const delivered = async (plugin: string) =>
      sample(
        await (await fetch(`${d.url}/metrics`)).text(),
        `gax_events_delivered_total{plugin="${plugin}"}`,
      );
    await waitFor(async () => ((await delivered('file/copy')) ?? 0) >= 2, 10_000, 'file/copy counted');
    await waitFor(async () => ((await delivered('file')) ?? 0) >= 2, 10_000, 'file counted');
    const after = await (await fetch(`${d.url}/metrics`)).text();
    expect(sample(after, 'gax_events_delivered_total{plugin="file"}')).toBe(2);
    expect(sample(after, 'gax_events_delivered_total{plugin="file/copy"}')).toBe(2);
    await stop();
    expect(await ids('file.ndjson')).toEqual(range(0, 10));
    expect(await ids('copy.ndjson')).toEqual(range(0, 10));
    // Each datadog instance dead-letters the (2022) events under its own id: 10 each over the runs.
    const dead = await readNdjson<{ plugin?: string }>(join(dir, 'state', 'dead-letter.ndjson'));
    const byPlugin = new Map<string, number>();
    for (const r of dead) byPlugin.set(r.plugin ?? 'parse', (byPlugin.get(r.plugin ?? 'parse') ?? 0) + 1);
    expect(Object.fromEntries(byPlugin)).toEqual({ datadog: 10, 'datadog/eu': 10 });

    // The runs' log lines: plugins' own lines carry their instance id once, no line repeats a key.
    const started = lines.filter((l) => l.includes('"msg":"File plugin started."'));
    expect(started.some((l) => l.includes('"plugin":"file/copy"'))).toBe(true);
    expect(lines.some((l) => l.includes('"plugin":"datadog/eu"') && l.includes('GAX_ERR_TLS_INSECURE'))).toBe(
      true,
    );
    expect(lines.filter((l) => l.includes('"msg":"Datadog plugin started."')).length).toBe(6);
    expect(lines.flatMap((l) => repeatedKeys(l).map((k) => `${k} in ${l}`))).toEqual([]);
  });

  it('adds file/copy on reload: it reads from the beginning while file carries on, and removes it again', async () => {
    await writeFile(join(dir, 'logs', 'apim_metrics.log'), '');
    await log(0, 4);
    const d = await start(false);
    await waitFor(async () => (await ids('file.ndjson')).length === 4, 10_000, 'file: 4 events');
    const added = await d.reload({ ok: true, config: config(true), warnings: [] });
    expect(added).toMatchObject({ result: 'applied' });
    await log(4, 6);
    await waitFor(async () => (await ids('copy.ndjson')).length === 6, 10_000, 'file/copy: 6 events');
    await waitFor(async () => (await ids('file.ndjson')).length === 6, 10_000, 'file: 6 events');
    expect(d.readiness().checks['plugin:file/copy']).toEqual({ ok: true });
    const removed = await d.reload({ ok: true, config: config(false), warnings: [] });
    expect(removed).toMatchObject({ result: 'applied' });
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    // Its up gauge goes; its counters stay, totals of the run (as for any plugin a reload removes).
    expect(sample(metrics, 'gax_plugin_up{plugin="file/copy"}')).toBeUndefined();
    expect(sample(metrics, 'gax_events_delivered_total{plugin="file/copy"}')).toBe(6);
    await stop();
    expect(await ids('file.ndjson')).toEqual(range(0, 6));
    expect(await ids('copy.ndjson')).toEqual(range(0, 6));
    expect(d.counts()['file/copy']).toMatchObject({ delivered: 6 });
  });

  it('refuses a second prometheus instance with the same metricPrefix at start, naming both', async () => {
    const yaml = [
      'inputs:',
      `  - paths: [${JSON.stringify(join(dir, 'logs', 'apim_metrics.log'))}]`,
      `state: { dir: ${JSON.stringify(join(dir, 'state'))} }`,
      'server: { host: 127.0.0.1, port: 0 }',
      'plugins:',
      '  prometheus: { enabled: true }',
      '  prometheus/copy: {}',
    ].join('\n');
    const loaded = parseConfig(yaml, { env: {} });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    daemon = new Daemon({ config: loaded.config, logger: pino({ level: 'silent' }), version: 'test' });
    const failure = await daemon.start().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toMatchObject({ code: 'GAX_ERR_PLUGIN_START' });
    expect(String(failure)).toMatch(/metricPrefix "apim" is already used by plugin "prometheus(\/copy)?"/);
  });
});

describe('repeatedKeys', () => {
  it('finds a key repeated in one object of a raw JSON line, and not the same key in two objects', () => {
    expect(repeatedKeys('{"a":1,"plugin":"x","b":{"plugin":"y"},"plugin":"x"}')).toEqual(['plugin']);
    expect(repeatedKeys('{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}],"s":"\\"a\\":"}')).toEqual([]);
  });
});

/**
 * The keys that occur twice in one object of the raw JSON text `line` (JSON.parse keeps only the
 * last, so it cannot see them).
 */
function repeatedKeys(line: string): string[] {
  const stack: (Set<string> | 'array')[] = [];
  const repeated: string[] = [];
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push('array');
    else if (c === '}' || c === ']') stack.pop();
    else if (c === '"') {
      let end = i + 1;
      while (line[end] !== '"') end += line[end] === '\\' ? 2 : 1;
      const text = line.slice(i + 1, end);
      i = end;
      const top = stack.at(-1);
      let next = end + 1;
      while (line[next] === ' ') next++;
      if (line[next] !== ':' || top === undefined || top === 'array') continue;
      if (top.has(text)) repeated.push(text);
      top.add(text);
    }
  }
  return repeated;
}
