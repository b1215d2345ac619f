import { Counter, Histogram, type Registry } from 'prom-client';
import { InstanceMetrics, sharedMetric } from '../telemetry/instance-metrics.js';
import type { ItemOutcome } from './classify.js';

/** The engine a family belongs to: `elasticsearch` in metric names, `Elasticsearch` in help texts. */
export interface Engine {
  readonly name: string;
  readonly title: string;
}

/**
 * The bulk metric families of a search-engine plugin (`gax_<engine>_documents_total`,
 * `gax_<engine>_bulk_requests_total`, `gax_<engine>_bulk_request_duration_seconds`), registered
 * by its first instance and shared by the others (their `plugin` label tells them apart).
 */
export function bulkFamilies(registry: Registry, engine: Engine, plugin?: string) {
  const documents = `gax_${engine.name}_documents_total`;
  const requests = `gax_${engine.name}_bulk_requests_total`;
  const duration = `gax_${engine.name}_bulk_request_duration_seconds`;
  return {
    documents: sharedMetric(
      registry,
      documents,
      (registers) =>
        new Counter({
          name: documents,
          help: `Documents ${engine.title} answered for, by outcome (created, duplicate, retryable, rejected) and error type.`,
          labelNames: ['plugin', 'outcome', 'error_type'],
          registers,
        }),
      plugin,
    ),
    requests: sharedMetric(
      registry,
      requests,
      (registers) =>
        new Counter({
          name: requests,
          help: 'Bulk requests sent, by HTTP status (`error` when no response came).',
          labelNames: ['plugin', 'status'],
          registers,
        }),
      plugin,
    ),
    duration: sharedMetric(
      registry,
      duration,
      (registers) =>
        new Histogram({
          name: duration,
          help: 'Time from sending a bulk request to its response.',
          labelNames: ['plugin'],
          buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers,
        }),
      plugin,
    ),
  };
}

type BulkFamilies = ReturnType<typeof bulkFamilies>;

/**
 * What the engine said about each document and each bulk request, per plugin instance. Labels
 * are bounded: `outcome` is a fixed union, `error_type` an exception name or client error
 * class, `status` an HTTP status or `error`.
 */
export class BulkMetrics<F extends BulkFamilies = BulkFamilies> extends InstanceMetrics<F> {
  constructor(registry: Registry, plugin: string, families: (registry: Registry, plugin?: string) => F) {
    super(registry, plugin, families);
    const { documents } = this.families;
    documents.inc({ plugin, outcome: 'created', error_type: 'none' }, 0);
    documents.inc({ plugin, outcome: 'duplicate', error_type: 'version_conflict_engine_exception' }, 0);
  }

  documents(outcome: ItemOutcome, errorType: string, count: number): void {
    this.families.documents.inc({ plugin: this.plugin, outcome, error_type: errorType }, count);
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
