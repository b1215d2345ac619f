import { Admin } from '@platformatic/kafka';
import { GaxError } from '../../src/errors.js';
import { readClientTls } from '../../src/http/client-tls.js';
import type { CommandIo } from '../../src/plugin/capabilities.js';
import { classifyProduceError } from './classify.js';
import { connectionOptions } from './client.js';
import type { KafkaConfig } from './config.js';
import { topicsOf } from './mapping.js';

/** What a new topic gets; an existing one is reported, never changed. */
export interface NewTopic {
  readonly partitions: number;
  readonly replicas: number;
  readonly minInsync: number;
  readonly retentionHours?: number;
}

/**
 * `gax setup kafka`: creates each missing topic with `settings` and prints one line per topic
 * (`created` or `exists` with its partitions). Idempotent. A failure (brokers unreachable, TLS or
 * SASL refused, not allowed to create topics, too few brokers for the replication factor) is
 * thrown as `GAX_ERR_SETUP_FAILED` with Kafka's reason.
 */
export async function runSetupKafka(config: KafkaConfig, io: CommandIo, settings: NewTopic): Promise<0> {
  const tls = config.tls === undefined ? undefined : await readClientTls(config.tls, 'plugins.kafka');
  const admin = new Admin(connectionOptions(config, tls));
  const fail = (err: unknown): GaxError => {
    const { result } = classifyProduceError(err, 0);
    const reason = result.status === 'delivered' ? String(err) : result.reason;
    return new GaxError('GAX_ERR_SETUP_FAILED', reason, { command: 'setup kafka', cause: err });
  };
  try {
    const wanted = topicsOf(config.topic);
    const existing = new Set(await admin.listTopics().catch((err: unknown) => Promise.reject(fail(err))));
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      const configs = [
        { name: 'min.insync.replicas', value: String(settings.minInsync) },
        ...(settings.retentionHours === undefined
          ? []
          : [{ name: 'retention.ms', value: String(settings.retentionHours * 3_600_000) }]),
      ];
      await admin
        .createTopics({
          topics: missing,
          partitions: settings.partitions,
          replicas: settings.replicas,
          configs,
        })
        .catch((err: unknown) => Promise.reject(fail(err)));
    }
    const metadata = await admin
      .metadata({ topics: wanted })
      .catch((err: unknown) => Promise.reject(fail(err)));
    for (const topic of wanted) {
      const partitions = metadata.topics.get(topic)?.partitionsCount ?? 0;
      const what = missing.includes(topic) ? 'created' : 'exists';
      io.stdout.write(`${'topic'.padEnd(8)}${topic.padEnd(40)}${what} (${partitions} partitions)\n`);
    }
    io.stdout.write(
      `done: ${wanted.length} topics (${missing.length} created, ${wanted.length - missing.length} existed) on ${config.brokers.join(',')}\n`,
    );
    return 0;
  } finally {
    await admin.close().catch(() => undefined);
  }
}
