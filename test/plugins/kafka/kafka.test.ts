import { ProtocolError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { classifyProduceError } from '../../../plugins/kafka/classify.js';
import { place } from '../../../plugins/kafka/client.js';
import { requests, topicOf, toRecords } from '../../../plugins/kafka/mapping.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { testEvent } from '../../doubles/plugins.js';

describe('kafka mapping', () => {
  it('keys each record by correlation id and writes the event as JSON', () => {
    const events = [testEvent(1), testEvent(2, { eventType: 'faulty' })];
    const { records, failed } = toRecords(events, 'apim-{eventType}', 1_000_000);
    expect(failed.size).toBe(0);
    expect(records.map((r) => [r.index, r.topic, r.key.toString()])).toEqual([
      [0, 'apim-response', 'corr-1'],
      [1, 'apim-faulty', 'corr-2'],
    ]);
    expect(JSON.parse(records[1]?.value.toString() ?? '')).toEqual(events[1]);
    expect(topicOf('apim-events', events[1] as CanonicalEvent)).toBe('apim-events');
  });

  it('dead-letters an event that cannot be serialised or is too large, and keeps the rest', () => {
    const big = testEvent(2, { properties: { userName: 'x'.repeat(5000) } });
    const bad = testEvent(3, { properties: { n: 10n } as never });
    const { records, failed } = toRecords([testEvent(1), big, bad, testEvent(4)], 't', 2048);
    expect(records.map((r) => r.index)).toEqual([0, 3]);
    expect(failed.get(1)).toMatch(/^event is \d+ bytes as JSON, over kafka maxMessageBytes \(2048\)$/);
    expect(failed.get(2)).toMatch(/^cannot serialise the event: .*BigInt/);
  });

  it('splits records into requests of at most maxBytes, each with at least one record', () => {
    const events = Array.from({ length: 10 }, (_, i) => testEvent(i));
    const { records } = toRecords(events, 't', 1_000_000);
    const size = records[0]?.value.length ?? 0;
    const groups = requests(records, size * 3 + 1);
    expect(groups.map((g) => g.length)).toEqual([3, 3, 3, 1]);
    expect(groups.flat().map((r) => r.index)).toEqual(records.map((r) => r.index));
    expect(requests(records, 1).map((g) => g.length)).toEqual(Array(10).fill(1));
  });

  it('places keys where Java clients place them (toPositive(murmur2(key)) % partitions)', () => {
    // murmur2 test vectors of Kafka's own clients (UtilsTest.testMurmur2).
    const java: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    const events = java.map(([key], i) => testEvent(i, { correlationId: key }));
    const { records } = toRecords(events, 'apim-{eventType}', 1_000_000);
    for (const partitions of [1, 3, 7, 12]) {
      const placed = place(records, new Map([['apim-response', partitions]]));
      expect(placed.map((r) => r.partition)).toEqual(java.map(([, m]) => (m & 0x7fffffff) % partitions));
    }
    expect(place(records, new Map()).every((r) => r.partition === 0)).toBe(true);
  });
});

describe('kafka error classification', () => {
  const protocol = (id: string) => new ProtocolError(id);

  it('rejects record errors with Kafka reason, retries the rest', () => {
    expect(classifyProduceError(protocol('INVALID_RECORD'), 5).result.status).toBe('rejected');
    expect(classifyProduceError(protocol('CORRUPT_MESSAGE'), 5).result.status).toBe('rejected');
    const down = classifyProduceError(new Error('connect ECONNREFUSED 127.0.0.1:9092'), 5);
    expect(down.result).toMatchObject({ status: 'retryable', reason: expect.stringMatching(/ECONNREFUSED/) });
    expect(classifyProduceError(protocol('UNKNOWN_TOPIC_OR_PARTITION'), 5).result.status).toBe('retryable');
    expect(classifyProduceError(protocol('TOPIC_AUTHORIZATION_FAILED'), 5).result.status).toBe('retryable');
    expect(classifyProduceError(protocol('NOT_LEADER_OR_FOLLOWER'), 5)).toMatchObject({
      errorType: 'NOT_LEADER_OR_FOLLOWER',
      resetProducer: false,
    });
  });

  it('splits a too-large request, and dead-letters a lone record that is still too large', () => {
    const many = classifyProduceError(protocol('MESSAGE_TOO_LARGE'), 5);
    expect(many).toMatchObject({ tooLarge: true, result: { status: 'retryable' } });
    expect(classifyProduceError(protocol('RECORD_LIST_TOO_LARGE'), 1).result.status).toBe('rejected');
  });

  it('asks for a new producer when the broker refuses its id or sequence numbers', () => {
    for (const id of ['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'PRODUCER_FENCED']) {
      expect(classifyProduceError(protocol(id), 3)).toMatchObject({
        resetProducer: true,
        result: { status: 'retryable' },
      });
    }
  });

  it('names the root cause the client wraps (a certificate, a refused connection)', () => {
    const tls = new AggregateError(
      [new AggregateError([new Error('self-signed certificate')], 'Cannot connect to any broker.')],
      'metadata failed 3 times.',
    );
    expect(classifyProduceError(tls, 3).result).toMatchObject({
      status: 'retryable',
      reason: 'kafka UNKNOWN: metadata failed 3 times. (self-signed certificate)',
    });
  });

  it('finds the Kafka error inside the client error tree', () => {
    const inner = protocol('INVALID_RECORD');
    const wrapped = new AggregateError([new Error('other'), inner], 'Producing messages failed.');
    expect(classifyProduceError(wrapped, 2)).toMatchObject({
      errorType: 'INVALID_RECORD',
      result: { status: 'rejected' },
    });
  });
});
