/**
 * `gax replay` (backfill) and `gax dlq inspect` / `gax dlq replay` on the real CLI: the file
 * plugin end to end, the refusals (Prometheus, Datadog's time window against a loopback Datadog),
 * exit codes, progress lines, and a replay interrupted by a signal losing nothing.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { readNdjson, waitFor } from '../helpers/daemon.js';
import { type DatadogReceiver, startDatadogReceiver } from '../helpers/datadog-receiver.js';
import { datadogValidator } from '../helpers/datadog-spec.js';
import { knownLog, writeLog } from '../helpers/es-scenario.js';
import { faultyLine, responseLine, truncatedLine } from '../helpers/lines.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-replay-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FAST_RETRY =
  'pipeline: { batchMaxEvents: 100, shutdownTimeoutMs: 1000, retry: { initialIntervalMs: 10, maxIntervalMs: 50 } }';

/** A config in `dir` with the file plugin writing to `out` (a path, or /dev/full to fail). */
async function config(name: string, out: string, extra: string[] = []): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    [
      'inputs: [{ paths: [logs/apim_metrics.log] }]',
      'state: { dir: state }',
      'server: { enabled: false }',
      'log: { level: info, format: json }',
      FAST_RETRY,
      'plugins:',
      `  file: { enabled: true, path: ${JSON.stringify(out)} }`,
      '  prometheus: { enabled: true }',
      ...extra,
      '',
    ].join('\n'),
  );
  return path;
}

const deadLetterFile = () => join(dir, 'state', 'dead-letter.ndjson');

/** Writes a dead-letter file (or a rotated sibling) by hand. */
async function seed(path: string, text: string): Promise<void> {
  await mkdir(join(dir, 'state'), { recursive: true });
  await writeFile(path, text);
}

describe('gax replay', () => {
  it('sends a whole log once through the file plugin, skips prometheus with the reason, and exits 0', async () => {
    const log = knownLog(500);
    const file = await writeLog(dir, log.lines);
    const cfg = await config('gax.yaml', 'out/events.ndjson');
    const result = await runCli(['replay', '--config', cfg, '--progress-every', '0.2', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('skipping plugin "prometheus": its counters are live');
    const written = await readNdjson<{ correlationId: string }>(join(dir, 'out', 'events.ndjson'));
    expect(written.map((e) => e.correlationId)).toEqual(log.events.map((e) => e.correlationId));
    expect(result.stdout).toMatch(/^progress: 100% \(/m);
    expect(result.stdout).toMatch(
      new RegExp(
        `^replayed 1 file \\(.+\\) in [0-9.]+ s: 500 lines, ${log.events.length} events \\([0-9,]+ events/s\\), 0 rejected lines, 0 skipped lines$`,
        'm',
      ),
    );
    expect(result.stdout).toMatch(new RegExp(`^file: delivered ${log.events.length}, dead-lettered 0$`, 'm'));
    // No checkpoint: the daemon's state is not touched.
    await expect(readFile(join(dir, 'state', 'checkpoint.json'))).rejects.toThrow();
  });

  it('sends to a named instance given with --plugin <type>/<name>, and to it alone', async () => {
    const log = knownLog(20);
    const file = await writeLog(dir, log.lines);
    const cfg = await config('gax.yaml', 'out/events.ndjson', [
      '  file/archive: { path: out/archive.ndjson }',
    ]);
    const result = await runCli(['replay', '--config', cfg, '--plugin', 'file/archive', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^file/archive: delivered ${log.events.length}, dead-lettered 0$`, 'm'),
    );
    const written = await readNdjson<{ correlationId: string }>(join(dir, 'out', 'archive.ndjson'));
    expect(written.map((e) => e.correlationId)).toEqual(log.events.map((e) => e.correlationId));
    await expect(readFile(join(dir, 'out', 'events.ndjson'))).rejects.toThrow();
  });

  it('reports rejected lines on stderr and in the summary, and exits 1', async () => {
    const file = await writeLog(dir, [responseLine('r1'), truncatedLine('t1'), faultyLine('f1')]);
    const cfg = await config('gax.yaml', 'out/events.ndjson');
    const result = await runCli(['replay', '-c', cfg, '--plugin', 'file', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`{"file":${JSON.stringify(file)},"line":2,"reason":"truncated_json"`);
    expect(result.stdout).toContain('3 lines, 2 events');
    expect(result.stdout).toContain('rejected lines by reason: truncated_json 1');
    expect(await readNdjson(join(dir, 'out', 'events.ndjson'))).toHaveLength(2);
  });

  it('refuses prometheus by name with the reason and a suggestion, and exits 2', async () => {
    const file = await writeLog(dir, [responseLine('r1')]);
    const cfg = await config('gax.yaml', 'out/events.ndjson');
    const result = await runCli(['replay', '-c', cfg, '--plugin', 'prometheus', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('plugin "prometheus" cannot take historic events');
    expect(result.stderr).toContain('--plugin elasticsearch');
    expect(result.stderr).toContain('GAX_ERR_REPLAY_REFUSED');
  });

  it.each([
    [['replay', '-c', 'CFG']],
    [['replay', '-c', 'CFG', 'missing.log']],
    [['replay', '-c', 'CFG', '--plugin', 'pulsar', 'LOG']],
    [['replay', '-c', 'CFG', '--max-retry', 'soon', 'LOG']],
  ])('exits 2 on the usage error %j', async (args) => {
    const file = await writeLog(dir, [responseLine('r1')]);
    const cfg = await config('gax.yaml', 'out/events.ndjson');
    const result = await runCli(
      args.map((a) => (a === 'CFG' ? cfg : a === 'LOG' ? file : a)),
      { cwd: dir },
    );
    expect(result.code).toBe(2);
    expect(result.stderr.length).toBeGreaterThan(0);
  });

  it('dead-letters what the backend keeps refusing, and stops on SIGTERM with 130, losing nothing', async () => {
    const log = knownLog(300);
    const file = await writeLog(dir, log.lines);
    const full = await config('full.yaml', '/dev/full');
    const exhausted = await runCli(['replay', '-c', full, '--max-retry', '100ms', file]);
    expect(exhausted.code).toBe(1);
    expect(exhausted.stdout).toContain(`file: delivered 0, dead-lettered ${log.events.length}`);
    expect(await readNdjson(deadLetterFile())).toHaveLength(log.events.length);

    const running = startCli(['replay', '-c', full, file]);
    await waitFor(() => running.output().includes('Delivery failed; retrying.'), 15_000, 'a retry');
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(130);
    expect(running.output()).toContain('interrupted after replaying 1 file');
    expect(await readNdjson(deadLetterFile())).toHaveLength(log.events.length); // nothing new: aborted, not dead
  });
});

describe('gax replay into Datadog', () => {
  const API_KEY = 'replay-test-key';
  let receiver: DatadogReceiver;
  beforeAll(async () => {
    datadogValidator('DistributionPointsPayload')({}); // compile Datadog's schemas before timing anything
    receiver = await startDatadogReceiver({ apiKey: API_KEY });
  });
  afterAll(async () => {
    await receiver?.close();
  });
  afterEach(() => receiver.reset());

  async function ddConfig(): Promise<string> {
    return config('dd.yaml', 'out/events.ndjson', [
      `  datadog: { enabled: true, apiKey: "\${DD_API_KEY}", url: ${JSON.stringify(receiver.url)}, env: test, flushIntervalSeconds: 1 }`,
    ]);
  }

  it('refuses up front when every event is older than Datadog accepts, naming the window', async () => {
    const log = knownLog(200, { startTime: Date.now() - 2 * 86_400_000, variants: false });
    const file = await writeLog(dir, log.lines);
    const result = await runCli(['replay', '-c', await ddConfig(), '--plugin', 'datadog', file], {
      env: { DD_API_KEY: API_KEY },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('plugin "datadog" cannot take these events');
    expect(result.stderr).toContain('Datadog accepts points from 1 hour back to 10 minutes ahead only');
    expect(result.stderr).toContain('GAX_ERR_REPLAY_REFUSED');
    expect(receiver.requests.filter((r) => r.path.startsWith('/api/v'))).toEqual([]);
  });

  it('sends the events inside the window and dead-letters the older ones with the reason', async () => {
    const lines = 240;
    // Events from 90 to 30 minutes ago: the first half is older than Datadog takes.
    const log = knownLog(lines, {
      startTime: Date.now() - 90 * 60_000,
      eventsPerSecond: lines / 3600,
      variants: false,
    });
    const file = await writeLog(dir, log.lines);
    const result = await runCli(['replay', '-c', await ddConfig(), '--plugin', 'datadog', file], {
      env: { DD_API_KEY: API_KEY },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('those outside that window are dead-lettered');
    const dead = await readNdjson<{ plugin: string; reason: string }>(deadLetterFile());
    expect(dead.length).toBeGreaterThan(lines / 4);
    expect(dead.every((r) => r.plugin === 'datadog' && r.reason.includes('older than Datadog accepts'))).toBe(
      true,
    );
    const delivered = Number(/^datadog: delivered (\d+)/m.exec(result.stdout)?.[1]);
    expect(delivered + dead.length).toBe(log.events.length);
    expect(delivered).toBeGreaterThan(lines / 4);
    const series = receiver.requests.filter((r) => r.path === '/api/v2/series' && r.status === 202);
    expect(series.length).toBeGreaterThan(0);
    expect(receiver.requests.flatMap((r) => r.problems)).toEqual([]);
  });
});

describe('gax dlq inspect', () => {
  const record = (time: string, plugin: string, reason: string, id: string) =>
    JSON.stringify({
      time,
      stage: 'deliver',
      plugin,
      kind: 'rejected',
      reason,
      event: { eventType: 'response', correlationId: id, requestTimestamp: '2025-01-01T00:00:00.000Z' },
    });

  it('summarises the file and its rotated siblings by reason, counting unreadable lines', async () => {
    const path = deadLetterFile();
    await writeLog(dir, []);
    const cfg = await config('gax.yaml', 'out/events.ndjson');
    const empty = await runCli(['dlq', 'inspect', '-c', cfg]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('No dead letters.');
    await seed(
      `${path}.1`,
      `${record('2025-01-01T00:00:01.000Z', 'elasticsearch', "elasticsearch 400 mapper_parsing_exception: failed to parse [x] in document with id 'a'", 'a')}\n`,
    );
    await seed(
      path,
      [
        record(
          '2025-01-01T00:00:02.000Z',
          'elasticsearch',
          "elasticsearch 400 mapper_parsing_exception: failed to parse [x] in document with id 'b'",
          'b',
        ),
        'garbage',
        JSON.stringify({
          time: '2025-01-01T00:00:03.000Z',
          stage: 'parse',
          reason: 'invalid_json',
          detail: 'd',
          source: { file: 'x.log', offset: 10 },
          line: responseLine('now-ok'),
        }),
        record('2025-01-01T00:00:04.000Z', 'file', 'write failed: EACCES', 'c'),
        '{"time":"2025-01-01T00:00:05.000Z","st',
      ].join('\n'),
    );
    const json = await runCli(['dlq', 'inspect', '--path', path, '--json']);
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout) as {
      records: number;
      pending: number;
      garbage: number;
      torn: number;
      files: { path: string; records: number }[];
      groups: {
        stage: string;
        plugin: string | null;
        reason: string;
        count: number;
        first: string;
        last: string;
        parsesNow?: number;
      }[];
    };
    expect(summary).toMatchObject({ records: 4, pending: 4, garbage: 1, torn: 1 });
    expect(summary.files.map((f) => [f.path, f.records])).toEqual([
      [`${path}.1`, 1],
      [path, 3],
    ]);
    expect(summary.groups).toEqual([
      expect.objectContaining({
        plugin: 'elasticsearch',
        reason: "elasticsearch 400 mapper_parsing_exception: failed to parse [x] in document with id '…'",
        count: 2,
        first: '2025-01-01T00:00:01.000Z',
        last: '2025-01-01T00:00:02.000Z',
      }),
      expect.objectContaining({ plugin: 'file', count: 1 }),
      expect.objectContaining({ stage: 'parse', plugin: null, count: 1, parsesNow: 1 }),
    ]);
    const table = await runCli(['dlq', 'inspect', '--config', cfg]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('4 records, 4 pending');
    expect(table.stdout).toContain('invalid_json (1 parse now)');
    expect(table.stdout).toContain('1 torn last line');
  });

  it('exits 2 without --config or --path', async () => {
    const result = await runCli(['dlq', 'inspect'], { env: { GAX_CONFIG: '' } });
    expect(result.code).toBe(2);
  });
});

describe('gax dlq replay', () => {
  it('after a fix delivers the dead-lettered events exactly once; a rerun sends nothing', async () => {
    const log = knownLog(250);
    const file = await writeLog(dir, log.lines);
    const full = await config('full.yaml', '/dev/full');
    const fixed = await config('fixed.yaml', 'out/events.ndjson');
    expect((await runCli(['replay', '-c', full, '--max-retry', '100ms', file])).code).toBe(1);

    const dry = await runCli(['dlq', 'replay', '-c', fixed, '--plugin', 'file', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`Would replay ${log.events.length} dead-lettered events to file`);
    expect(await readNdjson(join(dir, 'out', 'events.ndjson'))).toEqual([]);

    const first = await runCli(['dlq', 'replay', '-c', fixed, '--plugin', 'file']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`delivered: ${log.events.length}`);
    const second = await runCli(['dlq', 'replay', '-c', fixed, '--plugin', 'file']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Replayed 0 dead-lettered events');
    expect(second.stdout).toContain(`already replayed earlier: ${log.events.length}`);
    const written = await readNdjson<{ correlationId: string }>(join(dir, 'out', 'events.ndjson'));
    expect(written.map((e) => e.correlationId).sort()).toEqual(log.events.map((e) => e.correlationId).sort());
    const inspect = JSON.parse((await runCli(['dlq', 'inspect', '-c', fixed, '--json'])).stdout) as {
      pending: number;
    };
    expect(inspect.pending).toBe(0);
  });

  it('re-parses rejected lines with --reparse and sends the events they now give', async () => {
    await writeLog(dir, []);
    const fixed = await config('fixed.yaml', 'out/events.ndjson');
    // A line an older parser rejected; the current one accepts it (a parser fix).
    const parseRecord = {
      time: new Date().toISOString(),
      stage: 'parse',
      reason: 'invalid_json',
      detail: 'old parser',
      source: { file: 'a.log', offset: 1 },
      line: responseLine('reparsed-1'),
    };
    // Written since 0.2: the input's format and host name come with the line.
    const withOrigin = {
      ...parseRecord,
      line: responseLine('reparsed-2'),
      source: { file: 'a.log', offset: 2 },
      format: 'wso2-apim',
      host: 'gw-9',
    };
    await seed(deadLetterFile(), `${JSON.stringify(parseRecord)}\n${JSON.stringify(withOrigin)}\n`);
    const without = await runCli(['dlq', 'replay', '-c', fixed, '--plugin', 'file']);
    expect(without.stdout).toContain('not considered: 2 (add --reparse after a parser fix)');
    const result = await runCli(['dlq', 'replay', '-c', fixed, '--plugin', 'file', '--reparse']);
    expect(result.code).toBe(0);
    const events = await readNdjson<{ correlationId: string; gateway?: unknown; host?: unknown }>(
      join(dir, 'out', 'events.ndjson'),
    );
    expect(events.map((e) => [e.correlationId, e.gateway, e.host])).toEqual([
      ['reparsed-1', { type: 'wso2-apim' }, undefined],
      ['reparsed-2', { type: 'wso2-apim' }, { name: 'gw-9' }],
    ]);
  });

  it('stops on SIGTERM with 130 and leaves every unfinished record pending', async () => {
    const log = knownLog(50);
    const file = await writeLog(dir, log.lines);
    const full = await config('full.yaml', '/dev/full');
    await runCli(['replay', '-c', full, '--max-retry', '50ms', file]);
    const running = startCli(['dlq', 'replay', '-c', full, '--plugin', 'file']);
    await waitFor(() => running.output().includes('Delivery failed; retrying.'), 15_000, 'a retry');
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(130);
    expect(running.output()).toContain(`not finished (interrupted): ${log.events.length}`);
    const inspect = JSON.parse((await runCli(['dlq', 'inspect', '-c', full, '--json'])).stdout) as {
      pending: number;
    };
    expect(inspect.pending).toBe(log.events.length);
  });

  it('refuses prometheus with exit 2', async () => {
    const cfg = await config('gax.yaml', 'out/events.ndjson');
    const result = await runCli(['dlq', 'replay', '-c', cfg, '--plugin', 'prometheus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('GAX_ERR_REPLAY_REFUSED');
  });
});
