/**
 * The built `gax run` reloading its configuration on SIGHUP (and with `--watch-config`) while a
 * writer appends and rotates: plugins added, changed and removed, batching changed, invalid
 * files and a `state.dir` change rejected. Conservation: every written event is in the file
 * plugin's outputs exactly once, and the counters of a plugin left alone never go back.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { sample } from '../helpers/daemon.js';
import {
  createSandbox,
  type DaemonProcess,
  logRecords,
  OutputReader,
  RotatingWriter,
  type Sandbox,
  sleep,
  waitForIds,
} from '../helpers/tail-harness.js';

let box: Sandbox;
let runs: DaemonProcess[];
let writer: RotatingWriter | undefined;
let port: number;

beforeEach(async () => {
  box = createSandbox(await mkdtemp(join(tmpdir(), 'gax-reload-cli-')));
  runs = [];
  writer = undefined;
  port = await freePort();
});

afterEach(async () => {
  writer?.stop();
  for (const run of runs) {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await run.exited;
  }
  await rm(box.dir, { recursive: true, force: true });
});

interface Settings {
  readonly out?: string;
  readonly prometheus?: boolean;
  readonly batchMaxEvents?: number;
  readonly stateDir?: string;
}

/** Writes the daemon's config file: the sandbox's log, the file plugin, optionally prometheus. */
function writeConfig(s: Settings = {}): void {
  const q = JSON.stringify;
  const yaml = [
    'inputs:',
    `  - paths: [${q(box.log)}]`,
    '    pollIntervalMs: 20',
    `state: { dir: ${q(s.stateDir ?? box.stateDir)} }`,
    `server: { host: 127.0.0.1, port: ${port} }`,
    `pipeline: { batchMaxWaitMs: 20, batchMaxEvents: ${s.batchMaxEvents ?? 1000} }`,
    'log: { level: info, format: json }',
    'plugins:',
    `  file: { enabled: true, path: ${q(s.out ?? box.output)} }`,
    `  prometheus: { enabled: ${s.prometheus ?? false}, maxEventAge: 0s }`,
    '',
  ].join('\n');
  writeFileSync(box.config, yaml);
}

function start(...extra: string[]): DaemonProcess {
  const run = startCli(['run', '--config', box.config, ...extra]);
  runs.push(run);
  return run;
}

/** Log records of `run` with message `msg`. */
function logged(run: DaemonProcess, msg: string): Record<string, unknown>[] {
  return logRecords(run.output()).filter((r) => r.msg === msg);
}

/** Waits until `run` has logged `msg` `count` times. */
async function waitForLog(run: DaemonProcess, msg: string, count: number): Promise<void> {
  const until = Date.now() + 20_000;
  while (logged(run, msg).length < count) {
    if (run.child.exitCode !== null) throw new Error(`daemon exited:\n${run.output()}`);
    if (Date.now() > until) throw new Error(`no ${count}× "${msg}" in:\n${run.output()}`);
    await sleep(20);
  }
}

/** Sends SIGHUP and waits for the reload's outcome (`msg`) to be logged for the `count`th time. */
async function reload(run: DaemonProcess, msg: string, count: number): Promise<void> {
  run.child.kill('SIGHUP');
  await waitForLog(run, msg, count);
}

const RELOADED = 'Configuration reloaded.';
const REJECTED = 'Configuration reload rejected; the running configuration is kept.';

async function metrics(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/** What the prometheus plugin counted so far: its events delivered and its requests counted. */
async function prometheusCounts(): Promise<{ delivered: number; requests: number }> {
  const text = await metrics();
  const requests = text
    .split('\n')
    .filter((line) => line.startsWith('apim_requests_total{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return { delivered: sample(text, 'gax_events_delivered_total{plugin="prometheus"}') ?? -1, requests };
}

/** Every id once over the readers' files, nothing else, no torn line. */
function expectExactlyOnce(readers: readonly OutputReader[], ids: readonly string[]): void {
  const counts = new Map<string, number>();
  for (const reader of readers) {
    reader.poll(true);
    expect(reader.corrupt).toEqual([]);
    for (const [id, n] of reader.counts) counts.set(id, (counts.get(id) ?? 0) + n);
  }
  const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  const missing = ids.filter((id) => !counts.has(id));
  expect(
    { twice: twice.length, missing: missing.length, distinct: counts.size },
    `${twice.slice(0, 3)}`,
  ).toEqual({
    twice: 0,
    missing: 0,
    distinct: ids.length,
  });
}

/** Waits until the readers' files together hold every id. */
async function waitForAll(readers: readonly OutputReader[], ids: readonly string[]): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    const seen = new Set(readers.flatMap((r) => [...r.poll().counts.keys()]));
    if (ids.every((id) => seen.has(id))) return;
    if (Date.now() > until) throw new Error(`${ids.filter((id) => !seen.has(id)).length} ids missing`);
    await sleep(25);
  }
}

describe('gax run: configuration reload', () => {
  it('reload-under-load: SIGHUPs add prometheus, change batching, move the file output and remove prometheus while lines are written; every event lands once', async () => {
    const moved = join(box.dir, 'out', 'moved.ndjson');
    writeConfig();
    const w = new RotatingWriter(box, { seed: 9, linesPerSecond: 1000, rotateEvery: 700 });
    writer = w;
    w.append(50);
    const run = start();
    const first = new OutputReader(box.output);
    await waitForIds(first, w.ids, 15_000, { what: 'the first lines' });
    w.start();
    await sleep(400);

    writeConfig({ prometheus: true });
    await reload(run, RELOADED, 1);
    await sleep(400);
    const added = await prometheusCounts();
    expect(added.delivered, 'prometheus counts once added').toBeGreaterThan(0);

    writeConfig({ prometheus: true, batchMaxEvents: 7 });
    await reload(run, RELOADED, 2);
    const afterBatching = await prometheusCounts();
    await sleep(400);

    writeConfig({ prometheus: true, batchMaxEvents: 7, out: moved });
    await reload(run, RELOADED, 3);
    const afterMove = await prometheusCounts();
    await sleep(400);
    const beforeRemoval = await prometheusCounts();

    writeConfig({ batchMaxEvents: 7, out: moved });
    await reload(run, RELOADED, 4);
    await sleep(400);
    w.stop();

    // prometheus was left alone by the batching change (its reader restarted, not the plugin) and
    // by the file plugin's move: its counters only grew, and it counted exactly what it delivered.
    const series = [added, afterBatching, afterMove, beforeRemoval];
    for (const [i, counts] of series.entries()) {
      if (i === 0) continue;
      const previous = series[i - 1] as { delivered: number; requests: number };
      expect(counts.delivered, `gax_events_delivered_total after reload ${i + 1}`).toBeGreaterThanOrEqual(
        previous.delivered,
      );
      expect(counts.requests, `apim_requests_total after reload ${i + 1}`).toBeGreaterThanOrEqual(
        previous.requests,
      );
    }
    expect(beforeRemoval.requests).toBeGreaterThan(added.requests);

    const second = new OutputReader(moved);
    await waitForAll([first, second], w.ids);
    await sleep(300);
    expect(second.poll().lines, 'events written to the moved output').toBeGreaterThan(0);
    const text = await metrics();
    expect(sample(text, 'gax_config_reloads_total{result="applied"}')).toBe(4);
    expect(sample(text, 'gax_config_last_reload_successful')).toBe(1);
    expect(text).not.toMatch(/^apim_requests_total\{/m);
    run.child.kill('SIGTERM');
    expect(await run.exited, run.output()).toBe(0);
    expectExactlyOnce([first, second], w.ids);
    expect(w.rotations, 'the writer rotated meanwhile').toBeGreaterThan(0);
    const errors = logRecords(run.output()).filter((r) => Number(r.level) >= 50);
    expect(errors).toEqual([]);
    expect(logged(run, RELOADED).map((r) => r.changes)).toEqual([
      ['plugins.prometheus'],
      ['pipeline.batchMaxEvents'],
      ['plugins.file'],
      ['plugins.prometheus'],
    ]);
  }, 60_000);

  it('reload-invalid: a YAML error and a schema error are rejected with their problems, the daemon keeps delivering, a fixed file applies', async () => {
    writeConfig();
    const w = new RotatingWriter(box, { seed: 10, linesPerSecond: 500, rotateEvery: 10_000 });
    writer = w;
    w.append(20);
    const run = start();
    const reader = new OutputReader(box.output);
    await waitForIds(reader, w.ids, 15_000);
    w.start();

    writeFileSync(box.config, 'inputs:\n  - paths: [unclosed\n');
    await reload(run, REJECTED, 1);
    writeConfig({ batchMaxEvents: 0 });
    await reload(run, REJECTED, 2);
    const [yaml, schema] = logged(run, REJECTED);
    expect(yaml).toMatchObject({ level: 50, code: 'GAX_ERR_RELOAD_INVALID' });
    expect(yaml?.problems).toEqual([expect.stringMatching(/^\d+:\d+ .*\[GAX_ERR_CONFIG_YAML\]$/)]);
    expect(schema).toMatchObject({ level: 50, code: 'GAX_ERR_RELOAD_INVALID' });
    expect(schema?.problems).toEqual([
      expect.stringMatching(/^6:\d+ pipeline\.batchMaxEvents: .*\[GAX_ERR_CONFIG_INVALID\]$/),
    ]);
    let text = await metrics();
    expect(sample(text, 'gax_config_reloads_total{result="rejected"}')).toBe(2);
    expect(sample(text, 'gax_config_last_reload_successful')).toBe(0);

    await sleep(300);
    writeConfig({ batchMaxEvents: 5 });
    await reload(run, RELOADED, 1);
    text = await metrics();
    expect(sample(text, 'gax_config_last_reload_successful')).toBe(1);
    await sleep(300);
    w.stop();
    await waitForIds(reader, w.ids, 15_000);
    await sleep(300);
    expect(run.child.exitCode, 'still running').toBe(null);
    run.child.kill('SIGTERM');
    expect(await run.exited, run.output()).toBe(0);
    expectExactlyOnce([reader], w.ids);
  }, 60_000);

  it('reload-state-dir: a new state.dir is rejected naming it, the checkpoint stays where it was', async () => {
    writeConfig();
    const w = new RotatingWriter(box, { seed: 11, linesPerSecond: 500, rotateEvery: 10_000 });
    writer = w;
    w.append(20);
    const run = start();
    const reader = new OutputReader(box.output);
    await waitForIds(reader, w.ids, 15_000);

    const elsewhere = join(box.dir, 'state-2');
    writeConfig({ stateDir: elsewhere });
    await reload(run, REJECTED, 1);
    const [rejected] = logged(run, REJECTED);
    expect(rejected).toMatchObject({ level: 50, code: 'GAX_ERR_RELOAD_RESTART' });
    expect(rejected?.problems).toEqual([expect.stringMatching(/^state\.dir: only a restart/)]);
    w.append(20);
    await waitForIds(reader, w.ids, 15_000);
    await sleep(300);
    run.child.kill('SIGTERM');
    expect(await run.exited, run.output()).toBe(0);
    expectExactlyOnce([reader], w.ids);
    const { existsSync } = await import('node:fs');
    expect(existsSync(box.checkpoint)).toBe(true);
    expect(existsSync(elsewhere)).toBe(false);
  }, 60_000);

  it('watch-config: with --watch-config a changed file is applied without a signal', async () => {
    writeConfig();
    const w = new RotatingWriter(box, { seed: 12, linesPerSecond: 500, rotateEvery: 10_000 });
    writer = w;
    w.append(10);
    const run = start('--watch-config');
    const first = new OutputReader(box.output);
    await waitForIds(first, w.ids, 15_000);
    const moved = join(box.dir, 'out', 'moved.ndjson');
    writeConfig({ out: moved });
    await waitForLog(run, RELOADED, 1);
    w.append(10);
    const second = new OutputReader(moved);
    await waitForAll([first, second], w.ids);
    await sleep(300);
    run.child.kill('SIGTERM');
    expect(await run.exited, run.output()).toBe(0);
    expectExactlyOnce([first, second], w.ids);
    expect(second.lines).toBe(10);
  }, 60_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => resolve(free));
    });
  });
}
