import { mkdtemp, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDlqReplay } from '../../../src/commands/dlq-replay.js';
import { ledgerPath, lockPath } from '../../../src/dead-letter/ledger.js';
import { isGaxError, renderGaxError } from '../../../src/errors.js';
import { type DeadLetterRecord, DeadLetterWriter } from '../../../src/pipeline/dead-letter.js';
import type { Plugin } from '../../../src/plugin/contract.js';
import { DELIVERED, rejected } from '../../../src/plugin/result.js';
import { RecordingPlugin, ScriptedPlugin, testEvent } from '../../doubles/plugins.js';

let dir: string;
let config: string;
let deadLetterPath: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-dlq-replay-'));
  config = join(dir, 'gax.yaml');
  deadLetterPath = join(dir, 'state', 'dead-letter.ndjson');
  await writeFile(
    config,
    [
      'inputs: [{ paths: [logs/apim_metrics.log] }]',
      'state: { dir: state }',
      'server: { enabled: false }',
      'pipeline: { batchMaxEvents: 3, queueMaxBatches: 2, retry: { initialIntervalMs: 1, maxIntervalMs: 2 } }',
      'plugins: { file: { enabled: true, path: out/events.ndjson }, prometheus: { enabled: true } }',
      '',
    ].join('\n'),
  );
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const deadLetter = (n: number, plugin = 'file'): DeadLetterRecord => ({
  stage: 'deliver',
  plugin,
  kind: 'exhausted',
  reason: 'retries exhausted after 3 attempts: write failed: ENOSPC',
  event: testEvent(n),
});

async function seed(records: DeadLetterRecord[]): Promise<void> {
  const writer = new DeadLetterWriter({ path: deadLetterPath, maxBytes: 1e9 });
  await writer.write(records);
  await writer.close();
}

async function replay(plugin: Plugin, extra: { plugin?: string; lockStaleMs?: number } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  // A refusal is thrown as a GaxError; rendered and exited with as the CLI does (src/cli.ts).
  const code = await runDlqReplay(
    {
      config,
      plugin: extra.plugin ?? 'file',
      plugins: { [extra.plugin ?? 'file']: plugin },
      ...(extra.lockStaleMs === undefined ? {} : { lockStaleMs: extra.lockStaleMs }),
    },
    { stdout, stderr },
    {},
  ).catch((e: unknown) => {
    if (!isGaxError(e)) throw e;
    err += renderGaxError(e);
    return e.exitCode;
  });
  return { code, out, err };
}

async function records(): Promise<{ event: { correlationId: string }; plugin: string }[]> {
  const text = await readFile(deadLetterPath, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { event: { correlationId: string }; plugin: string });
}

const ids = (plugin: RecordingPlugin) => plugin.received.map((e) => e.correlationId).sort();

describe('gax dlq replay bookkeeping', () => {
  it('sends each pending record of the plugin once; what fails again becomes a new record, sent by the next run', async () => {
    await seed([...Array.from({ length: 10 }, (_, i) => deadLetter(i + 1)), deadLetter(11, 'elasticsearch')]);
    const flaky = new ScriptedPlugin((event) =>
      ['corr-3', 'corr-7'].includes(event.correlationId) ? rejected('still broken') : DELIVERED,
    );
    const first = await replay(flaky);
    expect(first.code).toBe(1);
    expect(first.out).toContain('Replayed 10 dead-lettered events to file');
    expect(first.out).toContain('delivered: 8');
    expect(first.out).toContain('dead-lettered again: 2');
    expect(flaky.delivered).toHaveLength(8);
    const after = await records();
    expect(after).toHaveLength(13);
    expect(
      after
        .slice(11)
        .map((r) => r.event.correlationId)
        .sort(),
    ).toEqual(['corr-3', 'corr-7']);

    const fixed = new RecordingPlugin();
    const second = await replay(fixed);
    expect(second.code).toBe(0);
    expect(ids(fixed)).toEqual(['corr-3', 'corr-7']);
    expect(second.out).toContain('already replayed earlier: 10');

    const idle = new RecordingPlugin();
    const third = await replay(idle);
    expect(third.code).toBe(0);
    expect(idle.received).toEqual([]);
    expect(third.out).toContain('Replayed 0 dead-lettered events');
    await expect(stat(lockPath(deadLetterPath))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('after a crash that lost marks, sends exactly the unmarked records again and loses none', async () => {
    await seed(Array.from({ length: 10 }, (_, i) => deadLetter(i + 1)));
    const first = new RecordingPlugin();
    expect((await replay(first)).code).toBe(0);
    expect(first.received).toHaveLength(10);
    // The crash: only the first four marks reached the disk, the fifth was cut short.
    const marks = (await readFile(ledgerPath(deadLetterPath), 'utf8')).split('\n');
    await writeFile(
      ledgerPath(deadLetterPath),
      `${marks.slice(0, 4).join('\n')}\n${(marks[4] as string).slice(0, 7)}`,
    );
    const second = new RecordingPlugin();
    expect((await replay(second)).code).toBe(0);
    expect(second.received).toHaveLength(6);
    expect(
      new Set([...first.received.slice(0, 4), ...second.received].map((e) => e.correlationId)).size,
    ).toBe(10);
    const third = new RecordingPlugin();
    await replay(third);
    expect(third.received).toEqual([]);
  });

  it('stops when it loses its lock (taken away while it works), and the next run sends the rest', async () => {
    await seed(Array.from({ length: 12 }, (_, i) => deadLetter(i + 1)));
    const first = new RecordingPlugin();
    const send = first.send.bind(first);
    let sends = 0;
    first.send = async (batch) => {
      if (sends++ === 0) {
        // Another replay took the lock over (it thought this one dead): the lock directory is gone.
        await rmdir(lockPath(deadLetterPath));
        await new Promise((resolve) => setTimeout(resolve, 2500)); // the holder notices within 1 s
      }
      return send(batch);
    };
    const lost = await replay(first, { lockStaleMs: 2000 });
    expect(lost.err).toContain('lost the replay lock');
    expect(lost.code).toBe(130);
    const second = new RecordingPlugin();
    expect((await replay(second)).code).toBe(0);
    const all = new Set([...first.received, ...second.received].map((e) => e.correlationId));
    expect(all.size).toBe(12);
  });

  it('replays the dead letters of a named instance through that instance only', async () => {
    await writeFile(
      config,
      [
        'inputs: [{ paths: [logs/apim_metrics.log] }]',
        'state: { dir: state }',
        'server: { enabled: false }',
        'plugins: { file: { enabled: true, path: out/a.ndjson }, file/archive: { path: out/b.ndjson } }',
        '',
      ].join('\n'),
    );
    await seed([deadLetter(1), deadLetter(2, 'file/archive'), deadLetter(3, 'file/archive')]);
    const archive = new RecordingPlugin();
    const result = await replay(archive, { plugin: 'file/archive' });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(ids(archive)).toEqual(['corr-2', 'corr-3']);
    expect(result.out).toContain('Replayed 2 dead-lettered events to file/archive');
    const base = new RecordingPlugin();
    expect((await replay(base)).code).toBe(0);
    expect(ids(base)).toEqual(['corr-1']);
  });

  it('refuses prometheus (live counters) and unknown plugins with exit 2', async () => {
    await seed([deadLetter(1, 'prometheus')]);
    const prometheus = await replay(new RecordingPlugin(), { plugin: 'prometheus' });
    expect(prometheus.code).toBe(2);
    expect(prometheus.err).toContain('GAX_ERR_REPLAY_REFUSED');
    expect(prometheus.err).toContain('--plugin elasticsearch');
    const unknown = await replay(new RecordingPlugin(), { plugin: 'pulsar' });
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown plugin "pulsar"');
  });
});
