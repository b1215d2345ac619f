/**
 * A state directory written by gax 0.1 (test/fixtures/state-0.1, made by its make-fixture.ts with
 * the release before named instances) keeps working: the daemon resumes each plugin exactly where
 * 0.1 left it (nothing read again, nothing lost), keeps counting Datadog generations in
 * `datadog-datadog.json`, a new named instance beside the old ones starts from the beginning, and
 * `gax dlq inspect` reads 0.1's dead letters.
 */
import { appendFile, cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDlqInspect } from '../../src/commands/dlq-inspect.js';
import { parseConfig } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import type { DeadLetterSummary } from '../../src/dead-letter/summary.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { readNdjson, sample, waitFor } from '../helpers/daemon.js';
import { type DatadogReceiver, startDatadogReceiver } from '../helpers/datadog-receiver.js';
import { responseLine } from '../helpers/lines.js';

const FIXTURE = new URL('../fixtures/state-0.1/', import.meta.url).pathname;

let dir: string;
let daemon: Daemon | undefined;
let receiver: DatadogReceiver;
beforeAll(async () => {
  receiver = await startDatadogReceiver({ apiKey: 'fixture-key' });
});
afterAll(async () => {
  await receiver?.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-state-0.1-'));
  // A copy (new inode): 0.1's checkpoint finds the file again by its fingerprint.
  await cp(join(FIXTURE, 'state'), join(dir, 'state'), { recursive: true });
  await cp(join(FIXTURE, 'logs'), join(dir, 'logs'), { recursive: true });
});
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  receiver.reset();
  await rm(dir, { recursive: true, force: true });
});

function config() {
  const q = JSON.stringify;
  const yaml = [
    'inputs:',
    `  - paths: [${q(join(dir, 'logs', 'apim_metrics.log'))}]`,
    '    pollIntervalMs: 20',
    `state: { dir: ${q(join(dir, 'state'))} }`,
    'server: { host: 127.0.0.1, port: 0 }',
    'pipeline: { batchMaxWaitMs: 10, shutdownTimeoutMs: 2000 }',
    'plugins:',
    `  file: { enabled: true, path: ${q(join(dir, 'out', 'events.ndjson'))} }`,
    `  file/new: { path: ${q(join(dir, 'out', 'new.ndjson'))} }`,
    '  prometheus: { enabled: false }',
    `  datadog: { enabled: true, apiKey: fixture-key, url: ${q(receiver.url)}, env: test, flushIntervalSeconds: 1 }`,
  ].join('\n');
  const loaded = parseConfig(yaml, { env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.config;
}

const ids = async (name: string) =>
  (await readNdjson<{ correlationId: string }>(join(dir, 'out', name))).map((e) => e.correlationId);

describe('a state directory written by gax 0.1', () => {
  it('resumes every plugin exactly where 0.1 stopped, and dlq inspect reads its dead letters', async () => {
    const log = join(dir, 'logs', 'apim_metrics.log');
    const before = (await stat(log)).size;
    const saved = JSON.parse(await readFile(join(dir, 'state', 'checkpoint.json'), 'utf8'));
    // What 0.1 left: file and datadog committed the whole log.
    for (const id of ['file', 'datadog'])
      expect(Object.values(saved.plugins[id].files).map((f) => (f as { offset: number }).offset)).toEqual([
        before,
      ]);
    expect(JSON.parse(await readFile(join(dir, 'state', 'datadog-datadog.json'), 'utf8'))).toEqual({
      generation: 0,
    });

    const now = new Date().toISOString();
    const next = Array.from({ length: 5 }, (_, i) => `next-${i}`);
    await appendFile(log, next.map((id) => `${responseLine(id, { requestTimestamp: now })}\n`).join(''));
    daemon = new Daemon({ config: config(), logger: silentLogger(), version: 'test' });
    await daemon.start();
    await waitFor(async () => (await ids('events.ndjson')).length >= 5, 10_000, 'file: the 5 new events');
    await waitFor(async () => (await ids('new.ndjson')).length >= 45, 10_000, 'file/new: the whole log');
    await waitFor(
      async () =>
        sample(
          await (await fetch(`${daemon?.url}/metrics`)).text(),
          'gax_events_delivered_total{plugin="datadog"}',
        ) === 5,
      10_000,
      'datadog: the 5 new events',
    );
    await daemon.stop();
    daemon = undefined;

    // Nothing read again, nothing lost; the new instance read the log from its beginning.
    expect(await ids('events.ndjson')).toEqual(next);
    const all = await ids('new.ndjson');
    expect(all).toHaveLength(45);
    expect(all.slice(-5)).toEqual(next);
    const { size: after, dev, ino } = await stat(log);
    const checkpoint = JSON.parse(await readFile(join(dir, 'state', 'checkpoint.json'), 'utf8'));
    for (const id of ['file', 'datadog', 'file/new'])
      expect(checkpoint.plugins[id].files[`${dev}:${ino}`], id).toMatchObject({ offset: after });
    // The Datadog generation counted on from 0.1's file, under 0.1's name.
    expect(JSON.parse(await readFile(join(dir, 'state', 'datadog-datadog.json'), 'utf8'))).toEqual({
      generation: 1,
    });

    // 0.1's dead letters, untouched (the broken lines were 0.1's to keep, and file resumes past them).
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (c: Buffer) => chunks.push(c));
    const code = await runDlqInspect(
      { path: join(dir, 'state', 'dead-letter.ndjson'), json: true },
      { stdout, stderr: new PassThrough() },
    );
    expect(code).toBe(0);
    const summary = JSON.parse(Buffer.concat(chunks).toString('utf8')) as DeadLetterSummary;
    expect(summary).toMatchObject({ records: 22, garbage: 0, torn: 0 });
    const groups = summary.groups.map((g) => [g.stage, g.plugin, g.kind, g.count]);
    expect(groups).toEqual(
      expect.arrayContaining([
        ['parse', null, null, 2],
        ['deliver', 'datadog', 'rejected', 20],
      ]),
    );
    expect(groups).toHaveLength(2);
  });
});
