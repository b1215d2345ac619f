import { describe, expect, it } from 'vitest';
import type { DeadLetterEntry } from '../../../src/dead-letter/files.js';
import { renderSummary } from '../../../src/dead-letter/render.js';
import { DeadLetterSummariser, reasonKey } from '../../../src/dead-letter/summary.js';
import type { StoredDeadLetterRecord } from '../../../src/pipeline/dead-letter.js';
import { testEvent } from '../../doubles/plugins.js';

const FILE = '/state/dead-letter.ndjson';
let line = 0;

function deliver(n: number, time: string, reason: string, plugin = 'elasticsearch'): DeadLetterEntry {
  const record: StoredDeadLetterRecord = {
    time,
    stage: 'deliver',
    plugin,
    kind: 'rejected',
    reason,
    event: testEvent(n),
  };
  return { kind: 'record', record, id: `id-${n}`, file: FILE, line: ++line };
}

function parse(n: number, time: string, reason: string, text: string): DeadLetterEntry {
  const record: StoredDeadLetterRecord = {
    time,
    stage: 'parse',
    reason,
    detail: 'd',
    source: { file: '/logs/apim_metrics.log', offset: n },
    line: text,
  };
  return { kind: 'record', record, id: `p-${n}`, file: FILE, line: ++line };
}

describe('reason grouping', () => {
  it.each([
    [
      "elasticsearch 400 document_parsing_exception: [1:345] failed to parse field [properties.responseSize] of type [long] in document with id 'response:abc'. Preview of field's value: '1.0E20'",
      "elasticsearch 400 document_parsing_exception: […] failed to parse field [properties.responseSize] of type [long] in document with id '…'. Preview of field's value: '…'",
    ],
    [
      'event time 2025-03-04T09:15:27.041Z is older than Datadog accepts (1 hour)',
      'event time <time> is older than Datadog accepts (1 hour)',
    ],
    [
      'retries exhausted after 12 attempts: write failed: ENOSPC',
      'retries exhausted after N attempts: write failed: ENOSPC',
    ],
    ['line of 2000001 bytes exceeds maxLineBytes 1048576', 'line of N bytes exceeds maxLineBytes N'],
    [
      'elasticsearch 429 es_rejected_execution_exception: injected',
      'elasticsearch 429 es_rejected_execution_exception: injected',
    ],
    ['invalid_json', 'invalid_json'],
  ])('groups %j as %j', (reason, key) => {
    expect(reasonKey(reason)).toBe(key);
  });

  it('cuts a very long reason', () => {
    expect(reasonKey('x'.repeat(1000))).toHaveLength(240);
  });
});

describe('dead-letter summary', () => {
  it('counts records by stage, plugin, kind and reason, with pending, first and last time and an example', () => {
    const summariser = new DeadLetterSummariser({
      replayed: (_record, id) => id === 'id-2',
      parsesNow: (text) => text.startsWith('ok'),
    });
    summariser.file(FILE, 1000);
    const conflict = (doc: string) =>
      `elasticsearch 400 document_parsing_exception: [1:2] failed to parse field [x] in document with id '${doc}'`;
    summariser.add(deliver(1, '2025-01-01T00:00:02.000Z', conflict('a')));
    summariser.add(deliver(2, '2025-01-01T00:00:01.000Z', conflict('b')));
    summariser.add(deliver(3, '2025-01-01T00:00:03.000Z', conflict('c')));
    summariser.add(deliver(4, '2025-01-01T00:00:04.000Z', 'elasticsearch 400 other', 'elasticsearch'));
    summariser.add(parse(5, '2025-01-01T00:00:05.000Z', 'invalid_json', 'ok now'));
    summariser.add(parse(6, '2025-01-01T00:00:06.000Z', 'invalid_json', 'still bad'));
    summariser.add({ kind: 'garbage', file: FILE, line: 99, text: 'xx' });
    summariser.add({ kind: 'torn', file: FILE, line: 100, bytes: 3 });
    const summary = summariser.result(FILE);
    expect(summary).toMatchObject({
      records: 6,
      pending: 5,
      garbage: 1,
      torn: 1,
      first: '2025-01-01T00:00:01.000Z',
      last: '2025-01-01T00:00:06.000Z',
      files: [{ path: FILE, bytes: 1000, records: 6, garbage: 1, torn: 1 }],
      garbageExamples: [{ file: FILE, line: 99, text: 'xx' }],
    });
    expect(summary.groups).toEqual([
      {
        stage: 'deliver',
        plugin: 'elasticsearch',
        kind: 'rejected',
        reason:
          "elasticsearch 400 document_parsing_exception: […] failed to parse field [x] in document with id '…'",
        count: 3,
        pending: 2,
        first: '2025-01-01T00:00:01.000Z',
        last: '2025-01-01T00:00:03.000Z',
        example: { reason: conflict('a'), detail: 'response corr-1 at 2025-03-04T09:15:27.041Z' },
      },
      expect.objectContaining({ stage: 'deliver', reason: 'elasticsearch 400 other', count: 1 }),
      expect.objectContaining({
        stage: 'parse',
        plugin: null,
        kind: null,
        reason: 'invalid_json',
        count: 2,
        parsesNow: 1,
      }),
    ]);
  });

  it('renders a table naming each group, the unreadable lines and the replay command', () => {
    const summariser = new DeadLetterSummariser({ replayed: () => false });
    summariser.add(deliver(1, '2025-01-01T00:00:02.000Z', 'elasticsearch 400 x'));
    summariser.add({ kind: 'garbage', file: FILE, line: 2, text: 'not json' });
    const text = renderSummary(summariser.result(FILE));
    expect(text).toContain('1 record, 1 pending');
    expect(text).toMatch(/STAGE\s+PLUGIN\s+KIND\s+PENDING\s+TOTAL\s+FIRST\s+LAST\s+REASON/);
    expect(text).toMatch(/deliver\s+elasticsearch\s+rejected\s+1\s+1\s+2025-01-01T00:00:02.000Z/);
    expect(text).toContain('1 line that is not a record');
    expect(text).toContain(`${FILE}:2: not json`);
    expect(text).toContain('gax dlq replay --config FILE --plugin elasticsearch');
  });

  it('says so when there are no dead letters', () => {
    expect(renderSummary(new DeadLetterSummariser({ replayed: () => false }).result(FILE))).toContain(
      'No dead letters.',
    );
  });
});
