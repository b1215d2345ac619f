import { definePlugin, sectionSchema } from '../../src/plugin/define.js';
import { kafkaConfig } from './config.js';
import { kafkaSetup } from './setup.js';

/** The Kafka plugin: one record per event, keyed by correlation id, idempotent producer. */
export const kafkaPlugin = definePlugin({
  type: 'kafka',
  summary: 'The Kafka plugin: one record per event on a topic, for fleets that queue before they store.',
  enabled: { default: false, description: 'Produce events to a Kafka topic.' },
  maxEventAge: { default: '0s', why: 'A first run on a large backlog can skip what is too old to matter.' },
  config: kafkaConfig,
  history: { accepts: 'any', idempotent: false },
  load: () => import('./plugin.js'),
  setup: kafkaSetup,
  selfMetrics: async (registry) => (await import('./metrics.js')).registerKafkaMetrics(registry),
  describe: (section, { id }) => [
    `  ${id}: → ${section.brokers.join(',')} topic ${section.topic} (acks=all, idempotent, ${section.compression}${section.tls === undefined ? '' : ', TLS'}${section.sasl === undefined ? '' : `, SASL ${section.sasl.mechanism}`})`,
  ],
});

/** `plugins.kafka`, as validated. */
export const KafkaConfigSchema = sectionSchema(kafkaPlugin);
