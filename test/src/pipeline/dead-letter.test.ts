import { appendFile, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeadLetterRecord, DeadLetterWriter } from '../../../src/pipeline/dead-letter.js';
import { testEvent } from '../../doubles/plugins.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-dl-'));
  path = join(dir, 'dead-letter.ndjson');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (n: number): DeadLetterRecord => ({
  stage: 'deliver',
  plugin: 'file',
  kind: 'rejected',
  reason: `reason ${n}`,
  event: testEvent(n),
});

async function ids(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { event: { correlationId: string } }).event.correlationId);
}

describe('dead-letter writer', () => {
  it('stamps each record with the time it was written', async () => {
    const writer = new DeadLetterWriter({
      path,
      maxBytes: 1e6,
      now: () => new Date('2025-01-02T03:04:05.006Z'),
    });
    await writer.write([record(1)]);
    await writer.close();
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({
      time: '2025-01-02T03:04:05.006Z',
      stage: 'deliver',
      plugin: 'file',
      reason: 'reason 1',
      event: { correlationId: 'corr-1' },
    });
  });

  it('rotates into numbered files, keeps maxFiles of them and reports each one it deletes', async () => {
    const discarded: string[] = [];
    const size = `${JSON.stringify({ time: new Date().toISOString(), ...record(1) })}\n`.length;
    const writer = new DeadLetterWriter({
      path,
      maxBytes: size * 2,
      maxFiles: 2,
      onDiscard: (file) => discarded.push(file),
    });
    for (let n = 1; n <= 8; n++) await writer.write([record(n)]);
    await writer.close();
    expect((await readdir(dir)).sort()).toEqual([
      'dead-letter.ndjson',
      'dead-letter.ndjson.1',
      'dead-letter.ndjson.2',
    ]);
    expect(await ids(path)).toEqual(['corr-7', 'corr-8']);
    expect(await ids(`${path}.1`)).toEqual(['corr-5', 'corr-6']);
    expect(await ids(`${path}.2`)).toEqual(['corr-3', 'corr-4']);
    expect(discarded).toEqual([`${path}.2`]);
  });

  it('with maxFiles 0 deletes the full file instead of keeping it', async () => {
    const discarded: number[] = [];
    const writer = new DeadLetterWriter({
      path,
      maxBytes: 10,
      maxFiles: 0,
      onDiscard: (_f, b) => discarded.push(b),
    });
    await writer.write([record(1)]);
    await writer.write([record(2)]);
    await writer.close();
    expect(await readdir(dir)).toEqual(['dead-letter.ndjson']);
    expect(await ids(path)).toEqual(['corr-2']);
    expect(discarded).toHaveLength(1);
  });

  it('ends a torn last line before appending, so the next record stays whole', async () => {
    await writeFile(path, `${JSON.stringify({ time: 't', ...record(1) })}\n{"time":"t","stage":"deli`);
    const writer = new DeadLetterWriter({ path, maxBytes: 1e6 });
    await writer.write([record(2)]);
    await writer.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines[1]).toBe('{"time":"t","stage":"deli');
    expect(JSON.parse(lines[2] as string)).toMatchObject({ event: { correlationId: 'corr-2' } });
  });

  it('does not rotate again a file another process has just rotated', async () => {
    const writer = new DeadLetterWriter({ path, maxBytes: 300, maxFiles: 3 });
    await writer.write([record(1)]);
    // Another writer (e.g. the daemon, while `gax dlq replay` appends too) rotates the file.
    await rename(path, `${path}.1`);
    await appendFile(path, '');
    await writer.write([record(2)]);
    await writer.close();
    expect((await readdir(dir)).sort()).toEqual(['dead-letter.ndjson', 'dead-letter.ndjson.1']);
    expect(await ids(`${path}.1`)).toEqual(['corr-1']);
    expect(await ids(path)).toEqual(['corr-2']);
  });
});
