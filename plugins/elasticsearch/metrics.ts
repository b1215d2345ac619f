import { Counter, Histogram, type Registry } from 'prom-client';
import { InstanceMetrics, sharedMetric } from '../../src/telemetry/instance-metrics.js';
import type { ItemOutcome } from './classify.js';

const DOCUMENTS = 'gax_elasticsearch_documents_total';
const REQUESTS = 'gax_elasticsearch_bulk_requests_total';
const DURATION = 'gax_elasticsearch_bulk_request_duration_seconds';
const PROBES = 'gax_elasticsearch_rollover_probes_total';
const ROLLOVER_DUPLICATES = 'gax_elasticsearch_rollover_duplicates_total';

/**
 * When a data stream lookup by `_id` ran: `before_create` (an event that may predate the write
 * index), `after_create` (a document landed in a newer index than assumed), `repair` (later
 * copies of one found earlier).
 */
export type ProbeStage = 'before_create' | 'after_create' | 'repair';
const STAGES: readonly ProbeStage[] = ['before_create', 'after_create', 'repair'];

/** The plugin's metric families in `registry`, registered by its first instance and shared. */
function families(registry: Registry, plugin?: string) {
  return {
    documents: sharedMetric(
      registry,
      DOCUMENTS,
      (registers) =>
        new Counter({
          name: DOCUMENTS,
          help: 'Documents Elasticsearch answered for, by outcome (created, duplicate, retryable, rejected) and error type.',
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
          help: 'Bulk requests sent, by HTTP status (`error` when no response came).',
          labelNames: ['plugin', 'status'],
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
          help: 'Time from sending a bulk request to its response.',
          labelNames: ['plugin'],
          buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers,
        }),
      plugin,
    ),
    probes: sharedMetric(
      registry,
      PROBES,
      (registers) =>
        new Counter({
          name: PROBES,
          help: 'Documents looked up by _id in a data stream backing index other than the write index (rollover check), by stage.',
          labelNames: ['plugin', 'stage'],
          registers,
        }),
      plugin,
    ),
    rolloverDuplicates: sharedMetric(
      registry,
      ROLLOVER_DUPLICATES,
      (registers) =>
        new Counter({
          name: ROLLOVER_DUPLICATES,
          help: 'Earlier copies found in a rolled-over backing index, by stage: before_create (not sent), after_create and repair (the later copy deleted).',
          labelNames: ['plugin', 'stage'],
          registers,
        }),
      plugin,
    ),
  };
}

/** Registers every metric an Elasticsearch instance registers (the definition's `selfMetrics`). */
export function registerEsMetrics(registry: Registry): void {
  families(registry);
}

/**
 * The plugin's own metrics, next to the pipeline's delivered/retried/dead-lettered counters:
 * what Elasticsearch said about each document and each bulk request. Labels are bounded:
 * `outcome` is a fixed union, `error_type` an Elasticsearch exception name or client error
 * class, `status` an HTTP status or `error`. Every instance (`elasticsearch`,
 * `elasticsearch/archive`) shares the families and has its own `plugin` label.
 */
export class EsMetrics extends InstanceMetrics<ReturnType<typeof families>> {
  constructor(registry: Registry, plugin: string) {
    super(registry, plugin, families);
    const { documents, probes, rolloverDuplicates } = this.families;
    for (const stage of STAGES) {
      probes.inc({ plugin, stage }, 0);
      rolloverDuplicates.inc({ plugin, stage }, 0);
    }
    documents.inc({ plugin, outcome: 'created', error_type: 'none' }, 0);
    documents.inc({ plugin, outcome: 'duplicate', error_type: 'version_conflict_engine_exception' }, 0);
  }

  documents(outcome: ItemOutcome, errorType: string, count: number): void {
    this.families.documents.inc({ plugin: this.plugin, outcome, error_type: errorType }, count);
  }

  rolloverProbes(stage: ProbeStage, count: number): void {
    this.families.probes.inc({ plugin: this.plugin, stage }, count);
  }

  rolloverDuplicates(stage: ProbeStage, count: number): void {
    this.families.rolloverDuplicates.inc({ plugin: this.plugin, stage }, count);
  }

  /** Starts timing a request; call the returned function with its status when it ends. */
  startRequest(): (status: string) => void {
    const end = this.families.duration.startTimer({ plugin: this.plugin });
    return (status) => {
      end();
      this.families.requests.inc({ plugin: this.plugin, status });
    };
  }
}
