import {
  type BaseOptions,
  compatibilityPartitioner,
  ProduceAcks,
  Producer,
  type ProducerOptions,
} from '@platformatic/kafka';
import type { ClientTls } from '../../src/http/client-tls.js';
import type { KafkaConfig } from './config.js';
import type { EventRecord } from './mapping.js';

/** A record with the partition it goes to (Java's default partitioner, so keys land where Java's would). */
export interface PlacedRecord extends EventRecord {
  readonly partition: number;
}

/** How any client of the plugin reaches the brokers: addresses, timeouts, TLS and SASL. */
export function connectionOptions(config: KafkaConfig, tls: ClientTls | undefined): BaseOptions {
  return {
    clientId: config.clientId,
    bootstrapBrokers: config.brokers,
    connectTimeout: Math.min(config.timeoutMs, 10_000),
    requestTimeout: config.timeoutMs,
    timeout: config.timeoutMs,
    // The pipeline retries with backoff (src/pipeline/retry.ts); the client only rides out a
    // leader election or a dropped connection within one send.
    retries: 2,
    retryDelay: 250,
    ...(tls === undefined ? {} : { tls: { ...tls } }),
    ...(config.sasl === undefined
      ? {}
      : {
          sasl: {
            mechanism: config.sasl.mechanism,
            username: config.sasl.username,
            password: config.sasl.password,
          },
        }),
  };
}

/** The producer options: idempotent, `acks=all`, compression, no topic auto-creation. */
export function producerOptions(
  config: KafkaConfig,
  tls: ClientTls | undefined,
): ProducerOptions<Buffer, Buffer, Buffer, Buffer> {
  return {
    ...connectionOptions(config, tls),
    idempotent: true,
    acks: ProduceAcks.ALL,
    compression: config.compression,
    autocreateTopics: false,
  };
}

/**
 * Each record's partition from its key, as Java's default partitioner chooses it
 * (`toPositive(murmur2(key)) % partitions`), so a consumer or a Java producer of the same keys
 * agrees. A topic missing from `counts` gets partition 0 (its produce fails and is retried).
 */
export function place(records: readonly EventRecord[], counts: ReadonlyMap<string, number>): PlacedRecord[] {
  return records.map((record) => {
    const count = counts.get(record.topic) ?? 1;
    return { ...record, partition: compatibilityPartitioner(undefined as never, record.key) % count };
  });
}

/**
 * One idempotent producer. The broker drops a batch whose producer id and sequence numbers it
 * has already written, so resending a request whose answer was lost (broker killed, timeout)
 * stores it once. That holds only while a resend carries exactly the records of the failed
 * request: {@link KafkaProducer.send} is given the same records again by the pipeline's retry,
 * and the plugin starts a new producer (new id, sequences from 0) before it sends anything else.
 */
export class KafkaProducer {
  readonly #options: ProducerOptions<Buffer, Buffer, Buffer, Buffer>;
  #producer: Producer<Buffer, Buffer, Buffer, Buffer>;

  constructor(options: ProducerOptions<Buffer, Buffer, Buffer, Buffer>) {
    this.#options = options;
    this.#producer = new Producer(options);
  }

  /** Partition counts of `topics` (metadata is cached by the client for a while). */
  async partitions(topics: readonly string[]): Promise<Map<string, number>> {
    const metadata = await this.#producer.metadata({ topics: [...topics] });
    const counts = new Map<string, number>();
    for (const topic of topics) {
      const found = metadata.topics.get(topic);
      if (found !== undefined) counts.set(topic, found.partitionsCount);
    }
    return counts;
  }

  /** One produce request; resolves when every partition leader and its in-sync replicas have it. */
  async send(records: readonly PlacedRecord[]): Promise<void> {
    await this.#producer.send({
      messages: records.map((r) => ({ topic: r.topic, partition: r.partition, key: r.key, value: r.value })),
    });
  }

  /** A new producer id: the old one's sequence numbers are forgotten (see the class comment). */
  async reset(): Promise<void> {
    const old = this.#producer;
    this.#producer = new Producer(this.#options);
    await forceClose(old);
  }

  async close(): Promise<void> {
    await forceClose(this.#producer);
  }
}

/** Closes a producer without waiting for requests in flight (their events are retried). */
function forceClose(producer: Producer<Buffer, Buffer, Buffer, Buffer>): Promise<void> {
  return new Promise((resolve) => producer.close(true, () => resolve()));
}
