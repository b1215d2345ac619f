import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifyWriteError } from '../../../plugins/file/classify.js';
import type { FileConfig } from '../../../plugins/file/config.js';
import { toNdjson } from '../../../plugins/file/mapping.js';
import { create as createFile } from '../../../plugins/file/plugin.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { testEvent } from '../../doubles/plugins.js';
import { expectGolden } from '../../helpers/golden.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const settings = () => ({ id: 'file', logger: silentLogger(), registry: new Registry(), stateDir: dir });

/** The plugin's section with its defaults, enabled, writing to `path`. */
function config(path: string, overrides: Partial<FileConfig> = {}): FileConfig {
  return {
    enabled: true,
    maxEventAge: '0s',
    path,
    fsync: 'batch',
    maxBytes: 104_857_600,
    maxFiles: 5,
    ...overrides,
  };
}

describe('file plugin', () => {
  it('writes one canonical event per line in batch order', async () => {
    const batch = [testEvent(1), testEvent(2, { eventType: 'faulty', errorType: 'AUTH', errorCode: 900901 })];
    await expectGolden(
      fileURLToPath(new URL('golden/batch.ndjson.json', import.meta.url)),
      toNdjson(batch)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
  });

  it('appends batches to the configured file, creating its directory', async () => {
    const path = join(dir, 'nested', 'events.ndjson');
    const plugin = createFile(config(path), settings());
    await plugin.start(new AbortController().signal);
    await plugin.send([testEvent(1)], new AbortController().signal);
    await plugin.send([testEvent(2), testEvent(3)], new AbortController().signal);
    await plugin.stop(Date.now() + 1000);
    const ids = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { correlationId: string }).correlationId);
    expect(ids).toEqual(['corr-1', 'corr-2', 'corr-3']);
  });

  it('dead-letters an event JSON.stringify cannot serialise and writes the rest of its batch', async () => {
    const path = join(dir, 'events.ndjson');
    const plugin = createFile(config(path), settings());
    await plugin.start(new AbortController().signal);
    const deep: unknown[] = [];
    let cursor = deep;
    for (let i = 0; i < 100_000; i++) cursor = cursor[0] = [] as unknown[];
    const results = await plugin.send(
      [
        testEvent(1),
        { ...testEvent(2), nested: deep } as CanonicalEvent,
        { ...testEvent(3), big: 1n } as CanonicalEvent,
      ],
      new AbortController().signal,
    );
    await plugin.stop(Date.now() + 1000);
    expect(results[0]).toEqual({ status: 'delivered' });
    expect(results[1]).toEqual({
      status: 'rejected',
      reason: expect.stringMatching(/^cannot serialise the event: Maximum call stack size exceeded/),
    });
    expect(results[2]).toEqual({
      status: 'rejected',
      reason: expect.stringMatching(/^cannot serialise the event: .*BigInt/),
    });
    const written = (await readFile(path, 'utf8')).trim().split('\n');
    expect(written.map((l) => (JSON.parse(l) as { correlationId: string }).correlationId)).toEqual([
      'corr-1',
    ]);
  });

  it('cuts off a torn last line left by a crash before appending', async () => {
    const path = join(dir, 'events.ndjson');
    await writeFile(path, '{"correlationId":"a"}\n{"correlationId":"b"}\n{"correlatio');
    const plugin = createFile(config(path), settings());
    await plugin.start(new AbortController().signal);
    await plugin.send([testEvent(3)], new AbortController().signal);
    await plugin.stop(Date.now() + 1000);
    const ids = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { correlationId: string }).correlationId);
    expect(ids).toEqual(['a', 'b', 'corr-3']);
  });

  it('reports a write failure as retryable for every event of the batch', async () => {
    await writeFile(join(dir, 'blocker'), 'a regular file where a directory should be');
    const plugin = createFile(config(join(dir, 'blocker', 'events.ndjson'), { fsync: 'never' }), settings());
    const results = await plugin.send([testEvent(1), testEvent(2)], new AbortController().signal);
    expect(results).toEqual([
      { status: 'retryable', reason: expect.stringMatching(/^write failed: E/) },
      { status: 'retryable', reason: expect.stringMatching(/^write failed: E/) },
    ]);
  });

  it.each([
    ['ENOSPC', 'retryable'],
    ['EACCES', 'retryable'],
    ['EIO', 'retryable'],
    ['EISDIR', 'rejected'],
    ['ESOMETHINGNEW', 'retryable'],
  ])('classifies %s as %s', (code, status) => {
    expect(classifyWriteError(Object.assign(new Error(code), { code })).status).toBe(status);
  });
});

describe('file plugin rotation', () => {
  const signal = new AbortController().signal;
  const ids = async (file: string): Promise<string[]> =>
    (await readFile(file, 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { correlationId: string }).correlationId);

  it('rotates by size between batches, keeps maxFiles rotated files, and never splits a batch', async () => {
    const path = join(dir, 'events.ndjson');
    const lineBytes = Buffer.byteLength(toNdjson([testEvent(1)]));
    // Room for 3 one-event batches per file; rotated files .1 and .2 are kept.
    const plugin = createFile(config(path, { maxBytes: lineBytes * 3 + 10, maxFiles: 2 }), settings());
    await plugin.start(signal);
    for (let i = 1; i <= 10; i++) await plugin.send([testEvent(i)], signal);
    await plugin.send([testEvent(11), testEvent(12), testEvent(13)], signal); // does not fit behind event 10: a new file
    await plugin.stop(Date.now() + 1000);
    expect(await ids(path)).toEqual(['corr-11', 'corr-12', 'corr-13']);
    expect(await ids(`${path}.1`)).toEqual(['corr-10']);
    expect(await ids(`${path}.2`)).toEqual(['corr-7', 'corr-8', 'corr-9']);
    expect(await ids(`${path}.3`)).toEqual([]); // deleted by the cap: at most maxBytes × (maxFiles + 1)
    for (const file of [path, `${path}.1`, `${path}.2`])
      expect((await readFile(file)).length).toBeLessThanOrEqual(lineBytes * 3 + 10);
  });

  it('continues the size count of a file left by an earlier run', async () => {
    const path = join(dir, 'events.ndjson');
    const lineBytes = Buffer.byteLength(toNdjson([testEvent(1)]));
    const first = createFile(config(path, { maxBytes: lineBytes * 2, maxFiles: 1 }), settings());
    await first.start(signal);
    await first.send([testEvent(1)], signal);
    await first.stop(Date.now() + 1000);
    const second = createFile(config(path, { maxBytes: lineBytes * 2, maxFiles: 1 }), settings());
    await second.start(signal);
    await second.send([testEvent(2)], signal);
    await second.send([testEvent(3)], signal);
    await second.stop(Date.now() + 1000);
    expect(await ids(`${path}.1`)).toEqual(['corr-1', 'corr-2']);
    expect(await ids(path)).toEqual(['corr-3']);
  });

  it('with maxFiles 0 starts the file again instead of keeping a rotated copy', async () => {
    const path = join(dir, 'events.ndjson');
    const lineBytes = Buffer.byteLength(toNdjson([testEvent(1)]));
    const plugin = createFile(config(path, { maxBytes: lineBytes, maxFiles: 0 }), settings());
    await plugin.start(signal);
    for (let i = 1; i <= 3; i++) await plugin.send([testEvent(i)], signal);
    await plugin.stop(Date.now() + 1000);
    expect(await ids(path)).toEqual(['corr-3']);
    expect(await ids(`${path}.1`)).toEqual([]);
  });

  it('is off by default: a config that enables only Prometheus writes no file', async () => {
    const { parseConfig } = await import('../../../src/config/load.js');
    const loaded = parseConfig('inputs: [{ paths: [a.log] }]\nplugins: { prometheus: { enabled: true } }\n', {
      env: {},
    });
    expect(loaded.ok && loaded.config.plugins.file.enabled).toBe(false);
  });
});
