import { configOption, type SetupCommand } from '../../src/plugin/capabilities.js';
import type { KafkaConfig } from './config.js';

/**
 * `gax setup kafka`: creates the topics the daemon's config writes to (both of a `{eventType}`
 * topic), with the partitions and replication factor the operator chooses, and reports the ones
 * that exist. Light: options and checks; `run` imports the code that talks to the brokers.
 */
const setupKafka: SetupCommand<KafkaConfig> = {
  name: 'kafka',
  description:
    'Create the topics the daemon writes to (when missing) with the given partitions and replication; idempotent.',
  options: [
    configOption('daemon configuration: plugins.kafka (brokers, topic, TLS, SASL) is used'),
    { flags: '--brokers <list>', description: 'bootstrap brokers host:port,… (overrides the config)' },
    { flags: '--topic <name>', description: 'topic name, {eventType} allowed (overrides the config)' },
    { flags: '--partitions <n>', description: 'partitions of a new topic (default 6)' },
    { flags: '--replication-factor <n>', description: 'replicas of a new topic (default 3)' },
    {
      flags: '--min-insync-replicas <n>',
      description: 'min.insync.replicas of a new topic (default: replication factor − 1, at least 1)',
    },
    { flags: '--retention <hours>', description: 'retention.ms of a new topic, in hours (broker default)' },
  ],
  async run(context) {
    const opts = context.options as Record<string, string | undefined>;
    const count = (flag: string, value: string | undefined, fallback: number): number => {
      if (value === undefined) return fallback;
      if (!/^[1-9][0-9]{0,4}$/.test(value))
        throw context.usage(`${flag} must be a positive integer: ${value}`);
      return Number(value);
    };
    const partitions = count('--partitions', opts.partitions, 6);
    const replicas = count('--replication-factor', opts.replicationFactor, 3);
    const minInsync = count('--min-insync-replicas', opts.minInsyncReplicas, Math.max(1, replicas - 1));
    if (minInsync > replicas) throw context.usage('--min-insync-replicas cannot exceed --replication-factor');
    const retentionHours = opts.retention === undefined ? undefined : count('--retention', opts.retention, 0);
    const section = await context.section();
    const brokers = opts.brokers?.split(',').map((b) => b.trim());
    if (brokers?.some((b) => !/^[^:\s]+:[0-9]{1,5}$/.test(b))) {
      throw context.usage(`--brokers must be host:port,…: ${opts.brokers}`);
    }
    const { runSetupKafka } = await import('./setup-topics.js');
    return runSetupKafka(
      { ...section, ...(brokers === undefined ? {} : { brokers }), topic: opts.topic ?? section.topic },
      context.io,
      { partitions, replicas, minInsync, retentionHours },
    );
  },
};

export const kafkaSetup = [setupKafka] as const;
