import { describe, expect, it } from 'vitest';
import type { DeadLetterEntry } from '../../../src/dead-letter/files.js';
import {
  emptyCounts,
  type ReplayCriteria,
  type ReplayStep,
  reparseFor,
  selectForReplay,
} from '../../../src/dead-letter/select.js';
import type { StoredDeadLetterRecord } from '../../../src/pipeline/dead-letter.js';
import { historyPolicy } from '../../../src/plugin/registry.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { testEvent } from '../../doubles/plugins.js';
import { responseLine, truncatedLine } from '../../helpers/lines.js';

function record(id: string, record: StoredDeadLetterRecord): DeadLetterEntry {
  return { kind: 'record', record, id, file: 'dl', line: 1 };
}

const deliver = (id: string, plugin: string, reason = 'r', time = '2025-01-01T00:00:00.000Z', at?: string) =>
  record(id, {
    time,
    stage: 'deliver',
    plugin,
    kind: 'rejected',
    reason,
    event: testEvent(Number(id.replace(/\D/g, '')), at === undefined ? {} : { requestTimestamp: at }),
  });

const parse = (id: string, line: string) =>
  record(id, {
    time: '2025-01-01T00:00:00.000Z',
    stage: 'parse',
    reason: 'invalid_json',
    detail: '',
    source: { file: 'x', offset: 0 },
    line,
  });

async function select(
  entries: DeadLetterEntry[],
  criteria: Partial<ReplayCriteria>,
  finished: (id: string) => boolean = () => false,
) {
  const counts = emptyCounts();
  const steps: ReplayStep[] = [];
  const all = (async function* () {
    yield* entries;
  })();
  const full: ReplayCriteria = {
    plugin: 'elasticsearch',
    policy: historyPolicy('elasticsearch'),
    now: Date.now(),
    ...criteria,
  };
  for await (const step of selectForReplay(all, full, finished, counts)) steps.push(step);
  return {
    counts,
    steps: steps.map((s) => (s.kind === 'send' ? `send ${s.id} ${s.event.correlationId}` : `finish ${s.id}`)),
  };
}

describe('choosing dead letters to replay', () => {
  it("sends the plugin's pending records once, skipping other plugins, finished records and repeats", async () => {
    const { steps, counts } = await select(
      [
        deliver('d1', 'elasticsearch'),
        deliver('d2', 'file'),
        deliver('d3', 'elasticsearch'),
        deliver('d1', 'elasticsearch'),
        { kind: 'garbage', file: 'dl', line: 9, text: 'x' },
        parse('p4', 'x'),
      ],
      {},
      (id) => id === 'd3',
    );
    expect(steps).toEqual(['send d1 corr-1']);
    expect(counts).toMatchObject({
      records: 5,
      selected: 1,
      alreadyReplayed: 1,
      repeated: 1,
      parseRecords: 1,
    });
    expect([...counts.byReason]).toEqual([['r', 1]]);
  });

  it('filters by reason (as written or as grouped) and by write time', async () => {
    const entries = [
      deliver(
        'd1',
        'elasticsearch',
        'event time 2025-01-01T00:00:00.000Z is older',
        '2025-01-01T00:00:00.000Z',
      ),
      deliver('d2', 'elasticsearch', 'mapping conflict', '2025-01-02T00:00:00.000Z'),
      deliver('d3', 'elasticsearch', 'mapping conflict', '2025-01-03T00:00:00.000Z'),
    ];
    expect((await select(entries, { reason: 'event time <time>' })).steps).toEqual(['send d1 corr-1']);
    expect((await select(entries, { reason: 'conflict' })).steps).toEqual([
      'send d2 corr-2',
      'send d3 corr-3',
    ]);
    expect((await select(entries, { since: Date.parse('2025-01-02T12:00:00Z') })).steps).toEqual([
      'send d3 corr-3',
    ]);
  });

  it('re-parses rejected lines when asked: events are sent, skips finished, rejects left pending', async () => {
    const { steps, counts } = await select(
      [parse('p1', responseLine('fixed-1')), parse('p2', truncatedLine('t')), parse('p3', '')],
      { reparse: reparseFor({ format: 'wso2-apim', maxLineBytes: 1e6 }) },
    );
    expect(steps).toEqual(['send p1 fixed-1', 'finish p3']);
    expect(counts).toMatchObject({ selected: 1, stillRejected: 1 });
  });

  it('stamps re-parsed events with gateway.type and leaves host.name absent (the writing node is not recorded)', async () => {
    const criteria: ReplayCriteria = {
      plugin: 'elasticsearch',
      policy: historyPolicy('elasticsearch'),
      now: Date.now(),
      reparse: reparseFor({ format: 'wso2-apim', maxLineBytes: 1e6 }),
    };
    const entries = (async function* () {
      yield parse('p1', responseLine('fixed-1'));
    })();
    const sent: CanonicalEvent[] = [];
    for await (const step of selectForReplay(entries, criteria, () => false, emptyCounts())) {
      if (step.kind === 'send') sent.push(step.event);
    }
    expect(sent).toHaveLength(1);
    expect(sent[0]?.gateway).toEqual({ type: 'wso2-apim' });
    expect(sent[0]).not.toHaveProperty('host');
  });

  it('re-parses a record with the format and host.name it was written with (gax 0.2 records)', async () => {
    const criteria: ReplayCriteria = {
      plugin: 'elasticsearch',
      policy: historyPolicy('elasticsearch'),
      now: Date.now(),
      reparse: reparseFor({ format: 'wso2-apim', maxLineBytes: 1e6 }),
    };
    const recorded = record('p1', {
      time: '2025-01-01T00:00:00.000Z',
      stage: 'parse',
      reason: 'invalid_json',
      detail: '',
      source: { file: 'x', offset: 0 },
      line: responseLine('fixed-1'),
      format: 'wso2-apim',
      host: 'gw-3',
    });
    const entries = (async function* () {
      yield recorded;
    })();
    const sent: CanonicalEvent[] = [];
    for await (const step of selectForReplay(entries, criteria, () => false, emptyCounts())) {
      if (step.kind === 'send') sent.push(step.event);
    }
    expect(sent.map((e) => [e.correlationId, e.gateway, e.host])).toEqual([
      ['fixed-1', { type: 'wso2-apim' }, { name: 'gw-3' }],
    ]);
  });

  it('leaves alone the events a time-window backend would refuse', async () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    const { steps, counts } = await select(
      [
        deliver('d1', 'datadog', 'r', 't', '2025-06-01T11:30:00.000Z'),
        deliver('d2', 'datadog', 'r', 't', '2025-06-01T10:00:00.000Z'),
        deliver('d3', 'datadog', 'r', 't', '2025-06-01T12:30:00.000Z'),
      ],
      { plugin: 'datadog', policy: historyPolicy('datadog'), now },
    );
    expect(steps).toEqual(['send d1 corr-1']);
    expect(counts.outsideWindow).toBe(2);
  });
});
