import type { ErrorCode } from '../../src/errors.js';
import { readClientTls } from '../../src/http/client-tls.js';
import type { Plugin, PluginSettings } from '../../src/plugin/contract.js';
import type { PluginModule } from '../../src/plugin/define.js';
import { DELIVERED, type EventResult, retryable } from '../../src/plugin/result.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { classifyProduceError } from './classify.js';
import { KafkaProducer, type PlacedRecord, place, producerOptions } from './client.js';
import type { KafkaConfig } from './config.js';
import { type EventRecord, requests, topicsOf, toRecords } from './mapping.js';
import { KafkaMetrics } from './metrics.js';

const NOT_SENT = retryable('not sent: an earlier produce request of the batch failed');

/**
 * Produces one record per event with an idempotent producer (`acks=all`). A batch is
 * acknowledged only for the records every in-sync replica has; see README.md "Delivery".
 */
class KafkaPlugin implements Plugin {
  readonly maxInFlight = 1;
  readonly #config: KafkaConfig;
  readonly #settings: PluginSettings;
  #producer: KafkaProducer | undefined;
  #metrics: KafkaMetrics | undefined;
  /** Bytes of values per request; halved when a broker refuses a request's size. */
  #requestBytes: number;
  /**
   * The events of the last request that failed without an answer Kafka could be trusted on: it
   * may have been written. Resent alone and first, with the same sequence numbers, the broker
   * drops it if it has it; anything else sent first needs a new producer.
   */
  #pending: readonly CanonicalEvent[] | undefined;

  constructor(config: KafkaConfig, settings: PluginSettings) {
    this.#config = config;
    this.#settings = settings;
    this.#requestBytes = config.maxRequestBytes;
  }

  async start(): Promise<void> {
    const tls =
      this.#config.tls === undefined ? undefined : await readClientTls(this.#config.tls, 'plugins.kafka');
    this.#producer = new KafkaProducer(producerOptions(this.#config, tls));
    this.#metrics ??= new KafkaMetrics(this.#settings.registry, this.#settings.id);
    const topics = topicsOf(this.#config.topic);
    const { logger } = this.#settings;
    try {
      const counts = await this.#producer.partitions(topics);
      const missing = topics.filter((t) => !counts.has(t));
      if (missing.length > 0) {
        logger.error(
          { code: 'GAX_ERR_KAFKA_METADATA' satisfies ErrorCode, missing },
          'Kafka topics do not exist; events for them are retried until they are created (gax does not create topics).',
        );
      }
      logger.info({ brokers: this.#config.brokers, topics: [...counts] }, 'Kafka plugin started.');
    } catch (err) {
      const { result } = classifyProduceError(err, 0);
      logger.error(
        {
          code: 'GAX_ERR_KAFKA_METADATA' satisfies ErrorCode,
          brokers: this.#config.brokers,
          reason: result.status === 'delivered' ? String(err) : result.reason,
        },
        'Kafka cannot be reached (brokers down, or TLS or SASL refused); events are retried until it can.',
      );
    }
  }

  async send(batch: readonly CanonicalEvent[]): Promise<readonly EventResult[]> {
    const producer = this.#producer;
    const metrics = this.#metrics;
    if (producer === undefined || metrics === undefined) throw new Error('kafka plugin used before start');
    const results = new Array<EventResult>(batch.length).fill(NOT_SENT);
    const { records, failed } = toRecords(batch, this.#config.topic, this.#config.maxMessageBytes);
    for (const [index, reason] of failed) results[index] = { status: 'rejected', reason };
    metrics.records('rejected', 'event', failed.size);
    const groups = await this.#plan(batch, records);
    let counts: Map<string, number>;
    try {
      counts = await producer.partitions([...new Set(records.map((r) => r.topic))]);
    } catch (err) {
      const failure = classifyProduceError(err, records.length);
      for (const r of records)
        results[r.index] = retryable(
          failure.result.status === 'retryable' ? failure.result.reason : String(err),
        );
      metrics.records('retryable', failure.errorType, records.length);
      return results;
    }
    for (const group of groups) {
      const placed = place(group, counts);
      if (!(await this.#produce(producer, metrics, batch, placed, results))) break;
    }
    return results;
  }

  /**
   * The batch's records as produce requests. The events of a request that failed ambiguously come
   * first, alone, when the batch starts with them (the pipeline's retry); otherwise the producer
   * is replaced before anything is sent.
   */
  async #plan(batch: readonly CanonicalEvent[], records: readonly EventRecord[]): Promise<EventRecord[][]> {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending === undefined) return requests(records, this.#requestBytes);
    const head = records.slice(0, pending.length);
    if (head.length === pending.length && head.every((r, i) => batch[r.index] === pending[i])) {
      return [head, ...requests(records.slice(pending.length), this.#requestBytes)];
    }
    await this.#reset('a request that may have been written is not being resent as it was');
    return requests(records, this.#requestBytes);
  }

  /** Sends one request and records its events' results; false when it failed (stop the batch). */
  async #produce(
    producer: KafkaProducer,
    metrics: KafkaMetrics,
    batch: readonly CanonicalEvent[],
    placed: readonly PlacedRecord[],
    results: EventResult[],
  ): Promise<boolean> {
    const done = metrics.startRequest();
    try {
      await producer.send(placed);
      done('ok');
      for (const r of placed) results[r.index] = DELIVERED;
      metrics.records('acknowledged', 'none', placed.length);
      return true;
    } catch (err) {
      const failure = classifyProduceError(err, placed.length);
      done(failure.errorType);
      const written = producedPartitions(err);
      const unanswered: CanonicalEvent[] = [];
      for (const r of placed) {
        if (written.has(`${r.topic}:${r.partition}`)) {
          results[r.index] = DELIVERED;
          metrics.records('acknowledged', 'none', 1);
          continue;
        }
        results[r.index] = failure.result;
        metrics.records(
          failure.result.status === 'rejected' ? 'rejected' : 'retryable',
          failure.errorType,
          1,
        );
        unanswered.push(batch[r.index] as CanonicalEvent);
      }
      if (failure.tooLarge) {
        this.#requestBytes = Math.max(1024, Math.floor(this.#requestBytes / 2));
      } else if (failure.resetProducer) {
        await this.#reset(failure.errorType);
      } else if (failure.result.status === 'retryable') {
        this.#pending = unanswered;
      }
      return false;
    }
  }

  async #reset(why: string): Promise<void> {
    this.#settings.logger.info({ why }, 'Kafka producer replaced by one with a new producer id.');
    this.#metrics?.reset();
    await this.#producer?.reset();
  }

  async stop(): Promise<void> {
    const producer = this.#producer;
    this.#producer = undefined;
    await producer?.close().catch(() => undefined);
    const metrics = this.#metrics;
    this.#metrics = undefined;
    await metrics?.remove();
  }
}

/** `topic:partition` of every partition Kafka acknowledged before a request failed. */
function producedPartitions(err: unknown): Set<string> {
  const offsets = (err as { produced?: { offsets?: readonly { topic: string; partition: number }[] } })
    ?.produced?.offsets;
  return new Set((offsets ?? []).map((o) => `${o.topic}:${o.partition}`));
}

/** The plugin's code module (see `kafkaPlugin` in index.ts). */
export const create: PluginModule<KafkaConfig>['create'] = (config, settings) =>
  new KafkaPlugin(config, settings);
