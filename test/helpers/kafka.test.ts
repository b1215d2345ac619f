import { existsSync, readFileSync } from 'node:fs';
import { IS_CONTROL, IS_TRANSACTIONAL, Producer, type RecordsBatch } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessRunning } from './elasticsearch.js';
import { KAFKA_VERSION, type KafkaBroker, startKafka, type TopicRecord } from './kafka.js';
import { collect } from './kafka-read.js';

/** Loopback LISTEN sockets on `port` in /proc/net/tcp{,6}, as `address:port` hex as the kernel prints it. */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6']
    .filter((f) => existsSync(f))
    .flatMap((f) => readFileSync(f, 'utf8').split('\n').slice(1))
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[1]?.endsWith(`:${hexPort}`) === true && cols[3] === '0A')
    .map((cols) => cols[1] as string);
}

function batch(
  from: number,
  to: number,
): { topic: string; key: Buffer; value: Buffer; headers: Map<Buffer, Buffer> }[] {
  const out = [];
  for (let n = from; n <= to; n++)
    out.push({
      topic: TOPIC,
      key: Buffer.from(`k${n % 4}`),
      value: Buffer.from(JSON.stringify({ n })),
      headers: new Map([[Buffer.from('seq'), Buffer.from(String(n))]]),
    });
  return out;
}

const TOPIC = 'gax-selftest';
const timings: Record<string, number> = {};

async function timed<T>(name: string, action: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await action();
  } finally {
    timings[name] = Math.round(performance.now() - t0);
  }
}

/** A batch of one record per value at `firstOffset`…; a control batch holds one marker (0 abort, 1 commit). */
function rawBatch(
  firstOffset: number,
  producerId: number,
  kind: 'plain' | 'transactional' | 'abort' | 'commit',
  values: string[] = [],
): RecordsBatch {
  const control = kind === 'abort' || kind === 'commit';
  const marker = Buffer.alloc(4);
  marker.writeInt16BE(kind === 'commit' ? 1 : 0, 2);
  const payloads = control ? [marker] : values.map((v) => Buffer.from(v));
  return {
    firstOffset: BigInt(firstOffset),
    length: 0,
    partitionLeaderEpoch: 0,
    magic: 2,
    crc: 0,
    attributes: (kind === 'plain' ? 0 : IS_TRANSACTIONAL) | (control ? IS_CONTROL : 0),
    lastOffsetDelta: payloads.length - 1,
    firstTimestamp: 1_000n,
    maxTimestamp: 1_000n,
    producerId: BigInt(producerId),
    producerEpoch: 0,
    firstSequence: 0,
    records: payloads.map((p, i) => ({
      length: 0,
      attributes: 0,
      timestampDelta: BigInt(i),
      offsetDelta: i,
      key: control ? p : null,
      value: control ? null : p,
      headers: [],
    })),
  };
}

describe('collect (the READ_COMMITTED rules readTopic applies to fetched batches)', () => {
  const values = (out: TopicRecord[]): (string | null)[] => out.map((r) => r.valueText);

  it('skips aborted transactions and markers, keeps committed and plain records, and says where to go on', () => {
    const batches = [
      rawBatch(0, 7, 'transactional', ['aborted-1', 'aborted-2']),
      rawBatch(2, 8, 'transactional', ['committed-1']),
      rawBatch(3, 7, 'abort'),
      rawBatch(4, 8, 'commit'),
      rawBatch(5, 9, 'plain', ['plain-1', 'plain-2']),
    ];
    const out: TopicRecord[] = [];
    const next = collect(0, batches, [{ producerId: 7n, firstOffset: 0n }], { from: 0n, end: 7n }, out);
    expect(values(out)).toEqual(['committed-1', 'plain-1', 'plain-2']);
    expect(out.map((r) => [r.offset, r.timestamp])).toEqual([
      [2, 1000],
      [5, 1000],
      [6, 1001],
    ]);
    expect(next).toBe(7n);
  });

  it('skips an aborted batch whose abort marker is not in the same response', () => {
    const out: TopicRecord[] = [];
    const aborted = [{ producerId: 7n, firstOffset: 0n }];
    const first = collect(0, [rawBatch(0, 7, 'transactional', ['a'])], aborted, { from: 0n, end: 3n }, out);
    expect(first).toBe(1n);
    expect(values(out)).toEqual([]);
  });

  it('keeps a later transaction of the same producer after its abort marker', () => {
    const out: TopicRecord[] = [];
    const batches = [
      rawBatch(0, 7, 'transactional', ['a']),
      rawBatch(1, 7, 'abort'),
      rawBatch(2, 7, 'transactional', ['b']),
    ];
    collect(0, batches, [{ producerId: 7n, firstOffset: 0n }], { from: 0n, end: 3n }, out);
    expect(values(out)).toEqual(['b']);
  });

  it('drops the records of a batch before the fetch offset and at or past the end offset', () => {
    const out: TopicRecord[] = [];
    const next = collect(0, [rawBatch(10, 9, 'plain', ['x', 'y', 'z'])], [], { from: 11n, end: 12n }, out);
    expect(values(out)).toEqual(['y']);
    expect(next).toBe(13n);
  });
});

// The tests share one broker and run in order: start → produce → kill/start → stop/start → destroy.
describe('a local Kafka broker (KRaft, single node)', () => {
  let broker: KafkaBroker;
  let producer: Producer;

  beforeAll(async () => {
    broker = await timed('install+start', () => startKafka({ numPartitions: 2 }));
    producer = new Producer({
      clientId: 'gax-selftest',
      bootstrapBrokers: [broker.bootstrap],
      idempotent: true,
      acks: -1,
      retries: 20,
      retryDelay: 250,
    });
  }, 600_000);

  afterAll(async () => {
    await producer?.close().catch(() => undefined);
    await broker?.destroy();
    console.log(`kafka ${KAFKA_VERSION} timings (ms): ${JSON.stringify(timings)}`);
  });

  it('runs the pinned version as a JVM listening on loopback only', () => {
    expect(broker.version).toBe(KAFKA_VERSION);
    expect(broker.bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(isProcessRunning(broker.pid as number)).toBe(true);
    expect(readFileSync(`/proc/${broker.pid}/cmdline`, 'utf8')).toContain('kafka.Kafka');
    const port = Number(broker.bootstrap.split(':')[1]);
    // 127.0.0.1, as IPv4 or IPv4-mapped IPv6.
    const sockets = listeners(port);
    expect(sockets).toHaveLength(1);
    expect(sockets[0]).toMatch(/^(0000000000000000FFFF0000)?0100007F:/);
  });

  it('keeps every acknowledged record exactly once across a crash (SIGKILL) and a restart', async () => {
    await broker.createTopic(TOPIC, 3);
    await producer.send({ messages: batch(1, 6) });

    const crashed = broker.pid as number;
    await broker.kill();
    expect(broker.pid).toBeUndefined();
    expect(isProcessRunning(crashed)).toBe(false);
    const bootstrap = broker.bootstrap;
    await timed('start after kill', () => broker.start());
    expect(broker.bootstrap).toBe(bootstrap);
    expect(broker.pid).not.toBe(crashed);

    await producer.send({ messages: batch(7, 12) });
    const records = await timed('readTopic', () => broker.readTopic(TOPIC, { timeoutMs: 20_000 }));
    const seqs = records.map((r) => Number(r.headers.find(([k]) => k === 'seq')?.[1]?.toString()));
    expect(seqs.toSorted((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const r of records) {
      const { n } = JSON.parse(r.valueText ?? '') as { n: number };
      expect(r.keyText).toBe(`k${n % 4}`);
      expect(r.value).toEqual(Buffer.from(JSON.stringify({ n })));
      expect(r.partition).toBeGreaterThanOrEqual(0);
      expect(r.partition).toBeLessThan(3);
      expect(r.timestamp).toBeGreaterThan(Date.now() - 600_000);
    }
    // Per partition, offsets are contiguous from 0 and one key always lands on one partition.
    for (const p of [0, 1, 2]) {
      const offsets = records.filter((r) => r.partition === p).map((r) => r.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
    const partitionOfKey = new Map(records.map((r) => [r.keyText, r.partition]));
    for (const r of records) expect(r.partition).toBe(partitionOfKey.get(r.keyText));
  }, 120_000);

  it('restarts gracefully (stop/start) on the same data, and readTopic sees the same records', async () => {
    const before = await broker.readTopic(TOPIC);
    await timed('stop', () => broker.stop());
    expect(broker.pid).toBeUndefined();
    await timed('start after stop', () => broker.start());
    const after = await broker.readTopic(TOPIC);
    expect(after).toEqual(before);
    expect(after).toHaveLength(12);
  }, 120_000);

  it('readTopic leaves out aborted transactions and transaction markers', async () => {
    await broker.createTopic('gax-selftest-tx', 1);
    const tx = new Producer({
      clientId: 'gax-selftest-tx',
      bootstrapBrokers: [broker.bootstrap],
      idempotent: true,
      acks: -1,
      transactionalId: 'gax-selftest-tx',
    });
    const message = (value: string): { topic: string; value: Buffer } => ({
      topic: 'gax-selftest-tx',
      value: Buffer.from(value),
    });
    try {
      const aborted = await tx.beginTransaction();
      await aborted.send({ messages: [message('aborted-1'), message('aborted-2')] });
      await aborted.abort();
      const committed = await tx.beginTransaction();
      await committed.send({ messages: [message('committed-1'), message('committed-2')] });
      await committed.commit();
    } finally {
      await tx.close().catch(() => undefined);
    }
    const records = await broker.readTopic('gax-selftest-tx');
    expect(records.map((r) => r.valueText)).toEqual(['committed-1', 'committed-2']);
    // Offsets 0-1 hold the aborted records and 2 the abort marker.
    expect(records.map((r) => r.offset)).toEqual([3, 4]);
  }, 60_000);

  it('destroy() is idempotent, leaves no process behind and refuses a later start()', async () => {
    const pid = broker.pid as number;
    await timed('destroy', () => broker.destroy());
    await broker.destroy();
    expect(isProcessRunning(pid)).toBe(false);
    await expect(broker.start()).rejects.toThrow(/destroyed/);
  }, 60_000);
});
