import { Counter, type Registry } from 'prom-client';
import { BulkMetrics, bulkFamilies } from '../../src/search-index/metrics.js';
import { sharedMetric } from '../../src/telemetry/instance-metrics.js';

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
    ...bulkFamilies(registry, { name: 'elasticsearch', title: 'Elasticsearch' }, plugin),
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
 * what Elasticsearch said about each document and each bulk request (src/search-index/metrics.ts)
 * and the rollover checks of data streams. Every instance (`elasticsearch`,
 * `elasticsearch/archive`) shares the families and has its own `plugin` label.
 */
export class EsMetrics extends BulkMetrics<ReturnType<typeof families>> {
  constructor(registry: Registry, plugin: string) {
    super(registry, plugin, families);
    const { probes, rolloverDuplicates } = this.families;
    for (const stage of STAGES) {
      probes.inc({ plugin, stage }, 0);
      rolloverDuplicates.inc({ plugin, stage }, 0);
    }
  }

  rolloverProbes(stage: ProbeStage, count: number): void {
    this.families.probes.inc({ plugin: this.plugin, stage }, count);
  }

  rolloverDuplicates(stage: ProbeStage, count: number): void {
    this.families.rolloverDuplicates.inc({ plugin: this.plugin, stage }, count);
  }
}
