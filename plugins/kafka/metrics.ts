import { Counter, Histogram, type Registry } from 'prom-client';
import { InstanceMetrics, sharedMetric } from '../../src/telemetry/instance-metrics.js';

const RECORDS = 'gax_kafka_records_total';
const REQUESTS = 'gax_kafka_produce_requests_total';
const DURATION = 'gax_kafka_produce_request_duration_seconds';
const RESETS = 'gax_kafka_producer_resets_total';

/** What happened to one record, for the plugin's own metric. */
export type RecordOutcome = 'acknowledged' | 'retryable' | 'rejected';

/** The plugin's metric families in `registry`, registered by its first instance and shared. */
function families(registry: Registry, plugin?: string) {
  return {
    records: sharedMetric(
      registry,
      RECORDS,
      (registers) =>
        new Counter({
          name: RECORDS,
          help: 'Records Kafka answered for, by outcome (acknowledged by all in-sync replicas, retryable, rejected) and Kafka error.',
          labelNames: ['plugin', 'outcome', 'error_type'],
          registers,
        }),
      plugin,
    ),
    requests: sharedMetric(
      registry,
      REQUESTS,
      (registers) =>
        new Counter({
          name: REQUESTS,
          help: 'Produce requests sent, by result (`ok` or the Kafka error name or client error code).',
          labelNames: ['plugin', 'result'],
          registers,
        }),
      plugin,
    ),
    duration: sharedMetric(
      registry,
      DURATION,
      (registers) =>
        new Histogram({
          name: DURATION,
          help: 'Time from sending a produce request (acks=all) to its answer.',
          labelNames: ['plugin'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers,
        }),
      plugin,
    ),
    resets: sharedMetric(
      registry,
      RESETS,
      (registers) =>
        new Counter({
          name: RESETS,
          help: 'Times the idempotent producer was replaced by one with a new producer id (its sequence numbers lost or refused by the broker).',
          labelNames: ['plugin'],
          registers,
        }),
      plugin,
    ),
  };
}

/** Registers every metric a Kafka instance registers (the definition's `selfMetrics`). */
export function registerKafkaMetrics(registry: Registry): void {
  families(registry);
}

/** The Kafka plugin's own metrics; every instance shares the families with its own `plugin` label. */
export class KafkaMetrics extends InstanceMetrics<ReturnType<typeof families>> {
  constructor(registry: Registry, plugin: string) {
    super(registry, plugin, families);
    this.families.records.inc({ plugin, outcome: 'acknowledged', error_type: 'none' }, 0);
    this.families.resets.inc({ plugin }, 0);
  }

  records(outcome: RecordOutcome, errorType: string, count: number): void {
    if (count > 0) this.families.records.inc({ plugin: this.plugin, outcome, error_type: errorType }, count);
  }

  reset(): void {
    this.families.resets.inc({ plugin: this.plugin });
  }

  /** Starts timing a request; call the returned function with its result when it ends. */
  startRequest(): (result: string) => void {
    const end = this.families.duration.startTimer({ plugin: this.plugin });
    return (result) => {
      end();
      this.families.requests.inc({ plugin: this.plugin, result });
    };
  }
}
