import { Counter, Histogram, type Registry } from 'prom-client';
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

/**
 * The plugin's own metrics, next to the pipeline's delivered/retried/dead-lettered counters:
 * what Elasticsearch said about each document and each bulk request. Labels are bounded:
 * `outcome` is a fixed union, `error_type` an Elasticsearch exception name or client error
 * class, `status` an HTTP status or `error`.
 */
export class EsMetrics {
  readonly #registry: Registry;
  readonly #plugin: string;
  readonly #documents: Counter<'plugin' | 'outcome' | 'error_type'>;
  readonly #requests: Counter<'plugin' | 'status'>;
  readonly #duration: Histogram<'plugin'>;
  readonly #probes: Counter<'plugin' | 'stage'>;
  readonly #rolloverDuplicates: Counter<'plugin' | 'stage'>;

  constructor(registry: Registry, plugin: string) {
    this.#registry = registry;
    this.#plugin = plugin;
    this.#documents =
      existing(registry, DOCUMENTS) ??
      new Counter({
        name: DOCUMENTS,
        help: 'Documents Elasticsearch answered for, by outcome (created, duplicate, retryable, rejected) and error type.',
        labelNames: ['plugin', 'outcome', 'error_type'],
        registers: [registry],
      });
    this.#requests =
      existing(registry, REQUESTS) ??
      new Counter({
        name: REQUESTS,
        help: 'Bulk requests sent, by HTTP status (`error` when no response came).',
        labelNames: ['plugin', 'status'],
        registers: [registry],
      });
    this.#duration =
      existing(registry, DURATION) ??
      new Histogram({
        name: DURATION,
        help: 'Time from sending a bulk request to its response.',
        labelNames: ['plugin'],
        buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      });
    this.#probes =
      existing(registry, PROBES) ??
      new Counter({
        name: PROBES,
        help: 'Documents looked up by _id in a data stream backing index other than the write index (rollover check), by stage.',
        labelNames: ['plugin', 'stage'],
        registers: [registry],
      });
    this.#rolloverDuplicates =
      existing(registry, ROLLOVER_DUPLICATES) ??
      new Counter({
        name: ROLLOVER_DUPLICATES,
        help: 'Earlier copies found in a rolled-over backing index, by stage: before_create (not sent), after_create and repair (the later copy deleted).',
        labelNames: ['plugin', 'stage'],
        registers: [registry],
      });
    for (const stage of STAGES) {
      this.#probes.inc({ plugin, stage }, 0);
      this.#rolloverDuplicates.inc({ plugin, stage }, 0);
    }
    this.#documents.inc({ plugin, outcome: 'created', error_type: 'none' }, 0);
    this.#documents.inc({ plugin, outcome: 'duplicate', error_type: 'version_conflict_engine_exception' }, 0);
  }

  documents(outcome: ItemOutcome, errorType: string, count: number): void {
    this.#documents.inc({ plugin: this.#plugin, outcome, error_type: errorType }, count);
  }

  rolloverProbes(stage: ProbeStage, count: number): void {
    this.#probes.inc({ plugin: this.#plugin, stage }, count);
  }

  rolloverDuplicates(stage: ProbeStage, count: number): void {
    this.#rolloverDuplicates.inc({ plugin: this.#plugin, stage }, count);
  }

  /** Starts timing a request; call the returned function with its status when it ends. */
  startRequest(): (status: string) => void {
    const end = this.#duration.startTimer({ plugin: this.#plugin });
    return (status) => {
      end();
      this.#requests.inc({ plugin: this.#plugin, status });
    };
  }

  remove(): void {
    for (const name of [DOCUMENTS, REQUESTS, DURATION, PROBES, ROLLOVER_DUPLICATES])
      this.#registry.removeSingleMetric(name);
  }
}

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}
