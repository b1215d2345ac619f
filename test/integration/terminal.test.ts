/**
 * Every command of the built `gax` on a real pseudo-terminal (test/helpers/pty.ts), the one place
 * its terminal paths run: colours, pretty logs, the redrawn progress bar, and Ctrl-C typed at the
 * keyboard. The pipe-driven tests elsewhere never reach these paths (`gax replay` once crashed
 * with `stream.on is not a function` on a terminal while every piped test passed).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { packageVersion } from '../../src/version.js';
import { readNdjson, waitFor } from '../helpers/daemon.js';
import { type DatadogReceiver, startDatadogReceiver } from '../helpers/datadog-receiver.js';
import { knownLog, writeLog } from '../helpers/es-scenario.js';
import { faultyLine, responseLine, truncatedLine } from '../helpers/lines.js';
import { CTRL_C, type PtySession, runPty, startPty } from '../helpers/pty.js';

let dir: string;
const sessions: PtySession[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-tty-'));
});
afterEach(async () => {
  for (const s of sessions.splice(0)) s.kill();
  await rm(dir, { recursive: true, force: true });
});

/** A started session that afterEach kills if the test did not end it. */
function pty(args: readonly string[], env: NodeJS.ProcessEnv = {}): PtySession {
  const session = startPty(args, { cwd: dir, env });
  sessions.push(session);
  return session;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: a colour sequence is what it looks for
const COLOUR = /\x1b\[3\dm/;
/** The progress bar drawn in place: carriage return, the bar, erase to end of line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: so is the bar's redraw
const BAR = /\r\[[#.]{24}\]\s+\d+%.*\x1b\[K/;

async function config(
  out: string,
  extra: string[] = [],
  log = 'info',
  shutdownMs = 1000,
  workers = 0,
): Promise<string> {
  const path = join(dir, 'gax.yaml');
  await writeFile(
    path,
    [
      'inputs: [{ paths: [logs/apim_metrics.log], pollIntervalMs: 50 }]',
      'state: { dir: state }',
      'server: { enabled: false }',
      `log: { level: ${log}, format: auto }`,
      `pipeline: { workers: ${workers}, batchMaxEvents: 100, shutdownTimeoutMs: ${shutdownMs}, retry: { initialIntervalMs: 10, maxIntervalMs: 50 } }`,
      'plugins:',
      `  file: { enabled: true, path: ${JSON.stringify(out)} }`,
      ...extra,
      '',
    ].join('\n'),
  );
  return path;
}

describe('gax on a terminal', () => {
  it('prints help and the version', async () => {
    const help = await runPty(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['run', 'check-config', 'parse', 'demo', 'replay', 'dlq', 'setup'])
      expect(help.text).toMatch(new RegExp(`^  ${command} `, 'm'));
    const version = await runPty(['--version']);
    expect(version.code).toBe(0);
    expect(version.text.trim()).toBe(packageVersion());
  });

  it('check-config: 0 for a valid file, 2 listing each problem, warnings shown', async () => {
    const ok = await runPty(['check-config', '-c', await config('out/events.ndjson')]);
    expect(ok.code, ok.text).toBe(0);
    await writeFile(join(dir, 'bad.yaml'), 'inputs: []\nplugins: { file: { enabled: yes-please } }\n');
    const bad = await runPty(['check-config', '-c', join(dir, 'bad.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.text).toContain('plugins.file.enabled');
    expect(bad.text).toContain('inputs');
  });

  it('parse: NDJSON on the terminal, rejected lines reported, exit 1', async () => {
    const log = join(dir, 'a.log');
    await writeFile(log, `${responseLine('r1')}\n${faultyLine('f1')}\n${truncatedLine('t1')}\n`);
    const result = await runPty(['parse', log]);
    expect(result.code).toBe(1);
    const events = result.text
      .split('\n')
      .filter((l) => l.startsWith('{"eventType"') || l.includes('"correlationId"'));
    expect(events.map((l) => JSON.parse(l).correlationId)).toEqual(expect.arrayContaining(['r1', 'f1']));
    expect(result.text).toMatch(/"reason":"[a-z_]+"/);
  });

  it('replay: delivers everything with a summary, exit 0', async () => {
    const log = knownLog(300);
    const file = await writeLog(dir, log.lines);
    const result = await runPty([
      'replay',
      '-c',
      await config('out/events.ndjson'),
      '--plugin',
      'file',
      file,
    ]);
    expect(result.code, result.text).toBe(0);
    expect(result.text).toContain(`file: delivered ${log.events.length}, dead-lettered 0`);
    expect(result.text).not.toContain('is not a function');
    expect(await readNdjson(join(dir, 'out', 'events.ndjson'))).toHaveLength(log.events.length);
  });

  it('replay: redraws the progress bar with the retry reason, logs in colour above it, and Ctrl-C stops it with 130', async () => {
    const log = knownLog(200);
    const file = await writeLog(dir, log.lines);
    const session = pty(['replay', '-c', await config('/dev/full', [], 'warn'), '--plugin', 'file', file]);
    await session.waitFor(/retrying file:/);
    await session.waitFor(/Delivery failed; retrying\./);
    expect(session.output()).toMatch(BAR);
    expect(session.output()).toMatch(COLOUR); // pretty logs on a terminal
    // The bar is erased before a log line is written, so no log line starts mid-bar.
    expect(session.output()).not.toMatch(/ETA [^\r\n]*WARN/);
    session.type(CTRL_C);
    expect(await session.exited).toBe(130);
    expect(session.text()).toContain('interrupted after replaying 1 file');
  });

  it('demo: pretty coloured logs, events flowing, Ctrl-C stops it cleanly with 0', async () => {
    const session = pty(['demo', '--dir', join(dir, 'demo'), '--port', '0', '--rate', '50']);
    await session.waitFor(/Press Ctrl-C to stop/);
    expect(session.output()).toMatch(COLOUR);
    const out = join(dir, 'demo', 'events.ndjson');
    await waitFor(async () => (await readNdjson(out)).length > 0, 15_000, 'demo events');
    session.type(CTRL_C);
    expect(await session.exited).toBe(0);
    expect(session.text()).toMatch(/Daemon stopped\./);
  });

  it.each([
    0, 2,
  ])('run: follows the log with pretty logs; Ctrl-C flushes and exits 0, the checkpoint holds every line (pipeline.workers %i)', async (workers) => {
    const log = knownLog(100);
    await writeLog(dir, log.lines);
    const session = pty(['run', '-c', await config('out/events.ndjson', [], 'info', 1000, workers)]);
    await session.waitFor(/Daemon started\./);
    expect(session.output()).toMatch(COLOUR);
    const out = join(dir, 'out', 'events.ndjson');
    await waitFor(async () => (await readNdjson(out)).length === log.events.length, 15_000, 'delivery');
    session.type(CTRL_C);
    expect(await session.exited).toBe(0);
    const checkpoint = JSON.parse(await readFile(join(dir, 'state', 'checkpoint.json'), 'utf8'));
    const offsets = Object.values(checkpoint.plugins.file.files).map((f) => (f as { offset: number }).offset);
    expect(offsets).toEqual([Buffer.byteLength(`${log.lines.join('\n')}\n`)]);
  });

  it('run: a second Ctrl-C while a plugin is still retrying exits at once with 130', async () => {
    await writeLog(dir, knownLog(50).lines);
    // A minute's grace: only the second Ctrl-C can end it within the test's time.
    const session = pty(['run', '-c', await config('/dev/full', [], 'info', 60_000)]);
    await session.waitFor(/Delivery failed; retrying\./);
    session.type(CTRL_C);
    await session.waitFor(/Stopping\./);
    session.type(CTRL_C);
    expect(await session.exited).toBe(130);
    expect(session.text()).toContain('Second signal: exiting now');
  });

  it('dlq inspect and dlq replay on a terminal, pretty logs and all', async () => {
    const log = knownLog(100);
    const file = await writeLog(dir, log.lines);
    const full = await config('/dev/full');
    expect(
      (await runPty(['replay', '-c', full, '--plugin', 'file', '--max-retry', '100ms', file])).code,
    ).toBe(1);
    const inspect = await runPty(['dlq', 'inspect', '-c', full]);
    expect(inspect.code, inspect.text).toBe(0);
    expect(inspect.text).toContain(String(log.events.length));
    const fixed = await config('out/events.ndjson');
    const replay = await runPty(['dlq', 'replay', '-c', fixed, '--plugin', 'file']);
    expect(replay.code, replay.text).toBe(0);
    expect(replay.text).toContain(`delivered: ${log.events.length}`);
    expect(await readNdjson(join(dir, 'out', 'events.ndjson'))).toHaveLength(log.events.length);
  });
});

describe('gax setup on a terminal', () => {
  const API_KEY = 'tty-api-key';
  const APP_KEY = 'tty-app-key';
  let receiver: DatadogReceiver;
  beforeAll(async () => {
    receiver = await startDatadogReceiver({ apiKey: API_KEY, appKey: APP_KEY });
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('setup elasticsearch --print writes the templates; setup kibana and setup kafka name an unreachable backend and exit non-zero', async () => {
    const print = await runPty(['setup', 'elasticsearch', '--print']);
    expect(print.code).toBe(0);
    expect(print.text).toContain('"index_patterns"');
    const kibana = await runPty(['setup', 'kibana', '--url', 'http://127.0.0.1:9']);
    expect(kibana.code).not.toBe(0);
    expect(kibana.text).toContain('127.0.0.1:9');
    const kafka = await runPty(['setup', 'kafka', '--brokers', '127.0.0.1:9']);
    expect(kafka.code).toBe(1);
    expect(kafka.text).toMatch(/ECONNREFUSED 127\.0\.0\.1:9.*GAX_ERR_SETUP_FAILED/);
    const postgres = await runPty(['setup', 'postgres', '--url', 'postgresql://gax@127.0.0.1:9/gax']);
    expect(postgres.code).toBe(1);
    expect(postgres.text).toMatch(/ECONNREFUSED.*nothing listens.*GAX_ERR_SETUP_FAILED/s);
    const sql = await runPty(['setup', 'postgres', '--print']);
    expect(sql.code).toBe(0);
    expect(sql.text).toContain('CREATE TABLE IF NOT EXISTS "public"."ApiExeTime_DAYS"');
  });

  it('setup datadog creates the dashboards and monitors and prints each result', async () => {
    await mkdir(join(dir, 'conf'), { recursive: true });
    const path = join(dir, 'conf', 'dd.yaml');
    const section = { enabled: true, url: receiver.url, apiKey: API_KEY };
    await writeFile(path, `inputs: [{ paths: [a.log] }]\nplugins:\n  datadog: ${JSON.stringify(section)}\n`);
    const result = await runPty(['setup', 'datadog', '-c', path], { env: { DD_APP_KEY: APP_KEY } });
    expect(result.code, result.text).toBe(0);
    expect(result.text).toMatch(/^dashboard\s+.+\screated\s/m);
    expect(result.text).toMatch(/^monitor\s+.+\screated\s/m);
  });
});
