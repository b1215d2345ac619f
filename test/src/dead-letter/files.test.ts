import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  closeDeadLetterFiles,
  type DeadLetterEntry,
  openDeadLetterFiles,
  readDeadLetters,
  recordId,
  toStoredRecord,
} from '../../../src/dead-letter/files.js';
import { testEvent } from '../../doubles/plugins.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-dlf-'));
  path = join(dir, 'dead-letter.ndjson');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const deliver = (n: number) =>
  JSON.stringify({
    time: `2025-01-01T00:00:0${n}.000Z`,
    stage: 'deliver',
    plugin: 'file',
    kind: 'rejected',
    reason: 'r',
    event: testEvent(n),
  });

async function readAll(): Promise<DeadLetterEntry[]> {
  const files = await openDeadLetterFiles(path);
  const out: DeadLetterEntry[] = [];
  try {
    for await (const entry of readDeadLetters(files)) out.push(entry);
  } finally {
    await closeDeadLetterFiles(files);
  }
  return out;
}

describe('reading dead-letter files', () => {
  it('reads the rotated files oldest first, then the current one', async () => {
    await writeFile(`${path}.2`, `${deliver(1)}\n`);
    await writeFile(`${path}.1`, `${deliver(2)}\n`);
    await writeFile(path, `${deliver(3)}\n`);
    await writeFile(`${path}.replayed`, 'not a dead-letter file\n');
    await writeFile(`${path}.x`, 'nor this\n');
    const entries = await readAll();
    expect(
      entries.map((e) =>
        e.kind === 'record' && e.record.stage === 'deliver' ? e.record.event.correlationId : e.kind,
      ),
    ).toEqual(['corr-1', 'corr-2', 'corr-3']);
    expect(entries.map((e) => e.file)).toEqual([`${path}.2`, `${path}.1`, path]);
  });

  it('counts lines that are not records and a torn last line, and never throws', async () => {
    await writeFile(
      path,
      [
        deliver(1),
        'not json',
        '{"time":"t","stage":"deliver"}',
        '[1,2]',
        '',
        deliver(2),
        '{"time":"t","sta',
      ].join('\n'),
    );
    const entries = await readAll();
    expect(entries.map((e) => e.kind)).toEqual(['record', 'garbage', 'garbage', 'garbage', 'record', 'torn']);
    expect(entries.at(-1)).toMatchObject({ kind: 'torn', line: 7, bytes: 16 });
  });

  it('reads each file only up to the size it had when opened', async () => {
    await writeFile(path, `${deliver(1)}\n`);
    const files = await openDeadLetterFiles(path);
    await appendFile(path, `${deliver(2)}\n`); // e.g. a replay's own re-failures
    const entries: DeadLetterEntry[] = [];
    for await (const entry of readDeadLetters(files)) entries.push(entry);
    await closeDeadLetterFiles(files);
    expect(entries).toHaveLength(1);
  });

  it('finds nothing, without an error, when there is no dead-letter file', async () => {
    expect(await readAll()).toEqual([]);
  });

  it('identifies a record by its line: the same line, the same id', async () => {
    await writeFile(path, `${deliver(1)}\n${deliver(1)}\n${deliver(2)}\n`);
    const ids = (await readAll()).map((e) => (e.kind === 'record' ? e.id : ''));
    expect(ids[0]).toBe(ids[1]);
    expect(ids[0]).not.toBe(ids[2]);
    expect(ids[0]).toBe(recordId(deliver(1)));
    expect(ids[0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('dead-letter record shape', () => {
  it.each([
    ['a string', 'x'],
    ['no time', { stage: 'parse', reason: 'r', line: 'l' }],
    ['an unknown stage', { time: 't', stage: 'other', reason: 'r' }],
    ['a parse record without its line', { time: 't', stage: 'parse', reason: 'r' }],
    [
      'a deliver record without plugin',
      { time: 't', stage: 'deliver', kind: 'rejected', reason: 'r', event: testEvent(1) },
    ],
    [
      'a deliver record of unknown kind',
      { time: 't', stage: 'deliver', plugin: 'p', kind: 'lost', reason: 'r', event: testEvent(1) },
    ],
    [
      'an event without correlationId',
      {
        time: 't',
        stage: 'deliver',
        plugin: 'p',
        kind: 'rejected',
        reason: 'r',
        event: { eventType: 'response', requestTimestamp: 't' },
      },
    ],
  ])('is refused for %s', (_name, value) => {
    expect(toStoredRecord(value)).toBeUndefined();
  });

  it('keeps the format and host name a parse record was written with', () => {
    expect(
      toStoredRecord({
        time: 't',
        stage: 'parse',
        reason: 'r',
        line: 'x',
        format: 'wso2-apim',
        host: 'gw-1',
      }),
    ).toMatchObject({ format: 'wso2-apim', host: 'gw-1' });
    expect(
      toStoredRecord({ time: 't', stage: 'parse', reason: 'r', line: 'x', format: 7 }),
    ).not.toHaveProperty('format');
  });

  it('accepts a parse record, filling a missing detail and source', () => {
    expect(toStoredRecord({ time: 't', stage: 'parse', reason: 'invalid_json', line: 'x' })).toEqual({
      time: 't',
      stage: 'parse',
      reason: 'invalid_json',
      detail: '',
      source: { file: '', offset: 0 },
      line: 'x',
    });
  });
});
