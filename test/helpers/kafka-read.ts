import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Admin,
  Consumer,
  FetchIsolationLevels,
  IS_CONTROL,
  IS_TRANSACTIONAL,
  ListOffsetTimestamps,
  type RecordsBatch,
} from '@platformatic/kafka';
import { NODE_ID } from './kafka-install.js';

/** One record as stored in a partition. */
export interface TopicRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** `key` / `value` decoded as UTF-8 (null when absent). */
  readonly keyText: string | null;
  readonly valueText: string | null;
  /** In record order; keys decoded as UTF-8 (Kafka header keys are strings). */
  readonly headers: ReadonlyArray<readonly [string, Buffer | null]>;
  /** Milliseconds since the epoch: the producer's CreateTime, or the broker's LogAppendTime. */
  readonly timestamp: number;
}

const LOG_APPEND_TIME = 1 << 3;

/**
 * Appends the records of `batches` with offsets in [from, end) to `out`, skipping control batches and
 * batches of aborted transactions (the READ_COMMITTED rules of the Java consumer); returns the next offset.
 * The client filters aborted batches too, but only when the abort marker is in the same response.
 */
export function collect(
  partition: number,
  batches: readonly RecordsBatch[],
  aborted: ReadonlyArray<{ producerId: bigint; firstOffset: bigint }>,
  range: { from: bigint; end: bigint },
  out: TopicRecord[],
): bigint {
  const pending = [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  const abortedProducers = new Set<bigint>();
  let next = range.from;
  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    for (let first = pending[0]; first !== undefined && first.firstOffset <= lastOffset; first = pending[0]) {
      abortedProducers.add(first.producerId);
      pending.shift();
    }
    if (lastOffset >= next) next = lastOffset + 1n;
    if ((batch.attributes & IS_CONTROL) !== 0) {
      // A control record's key is (version int16, type int16); type 0 is an abort marker.
      const type = batch.records[0]?.key?.readInt16BE(2);
      if (type === 0) abortedProducers.delete(batch.producerId);
      continue;
    }
    if ((batch.attributes & IS_TRANSACTIONAL) !== 0 && abortedProducers.has(batch.producerId)) continue;
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      if (offset < range.from || offset >= range.end) continue;
      const timestamp =
        (batch.attributes & LOG_APPEND_TIME) !== 0
          ? batch.maxTimestamp
          : batch.firstTimestamp + record.timestampDelta;
      out.push({
        partition,
        offset: Number(offset),
        key: record.key,
        value: record.value,
        keyText: record.key?.toString('utf8') ?? null,
        valueText: record.value?.toString('utf8') ?? null,
        headers: record.headers.map(([k, v]) => [k?.toString('utf8') ?? '', v] as const),
        timestamp: Number(timestamp),
      });
    }
  }
  return next;
}

/** Partition → offset for `topic` at `timestamp` (LATEST is the last stable offset under READ_COMMITTED). */
async function offsetsAt(
  admin: Admin,
  topic: string,
  partitions: number[],
  timestamp: bigint,
): Promise<Map<number, bigint>> {
  const listed = await admin.listOffsets({
    topics: [
      { name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) },
    ],
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
  });
  return new Map((listed[0]?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
}

/**
 * Every committed record in `topic` now, read with raw fetches (no consumer group) from each
 * partition's log start offset up to its last stable offset; control records and aborted
 * transactions are left out. Throws when the records are not all read within `timeoutMs`.
 */
export async function readTopic(bootstrap: string, topic: string, timeoutMs: number): Promise<TopicRecord[]> {
  const until = Date.now() + timeoutMs;
  const clientOptions = { bootstrapBrokers: [bootstrap], timeout: 5_000 };
  const admin = new Admin({ clientId: 'gax-test-read-admin', ...clientOptions });
  const consumer = new Consumer({
    clientId: 'gax-test-reader',
    groupId: `gax-test-reader-${randomBytes(6).toString('hex')}`,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    ...clientOptions,
  });
  try {
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
    const info = metadata.topics.get(topic);
    if (info === undefined) throw new Error(`topic ${topic} does not exist`);
    const partitions = info.partitions.map((_, i) => i);
    const starts = await offsetsAt(admin, topic, partitions, ListOffsetTimestamps.EARLIEST);
    const ends = await offsetsAt(admin, topic, partitions, ListOffsetTimestamps.LATEST);
    const out: TopicRecord[] = [];
    let problem = 'no error';
    for (const partition of partitions) {
      const end = ends.get(partition) ?? 0n;
      let next = starts.get(partition) ?? 0n;
      while (next < end) {
        if (Date.now() > until)
          throw new Error(
            `readTopic(${topic}): partition ${partition} at offset ${next} of ${end} after ${timeoutMs} ms (last: ${problem})`,
          );
        const response = await consumer
          .fetch({
            node: NODE_ID,
            maxWaitTime: 200,
            topics: [
              {
                topicId: info.id,
                partitions: [
                  {
                    partition,
                    currentLeaderEpoch: -1,
                    fetchOffset: next,
                    lastFetchedEpoch: -1,
                    partitionMaxBytes: 8 << 20,
                  },
                ],
              },
            ],
          })
          .catch((error: Error) => {
            problem = error.message;
            return undefined;
          });
        const data = response?.responses[0]?.partitions[0];
        if (data === undefined || data.errorCode !== 0) {
          if (data !== undefined) problem = `fetch error code ${data.errorCode}`;
          await sleep(100);
          continue;
        }
        next = collect(partition, data.records ?? [], data.abortedTransactions, { from: next, end }, out);
      }
    }
    return out;
  } finally {
    await Promise.allSettled([
      new Promise<void>((resolve) => consumer.close(true, () => resolve())),
      admin.close(),
    ]);
  }
}
