import { existsSync, readFileSync } from 'node:fs';
import { Producer } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessRunning } from './elasticsearch.js';
import { KAFKA_VERSION, type KafkaBroker, startKafka } from './kafka.js';

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

  it('destroy() is idempotent, leaves no process behind and refuses a later start()', async () => {
    const pid = broker.pid as number;
    await timed('destroy', () => broker.destroy());
    await broker.destroy();
    expect(isProcessRunning(pid)).toBe(false);
    await expect(broker.start()).rejects.toThrow(/destroyed/);
  }, 60_000);
});
