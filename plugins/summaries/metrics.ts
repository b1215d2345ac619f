import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { InstanceMetrics, sharedMetric } from '../../src/telemetry/instance-metrics.js';

const TRANSACTIONS = 'gax_summaries_transactions_total';
const DURATION = 'gax_summaries_transaction_duration_seconds';
const ROWS = 'gax_summaries_rows_upserted_total';
const DUPLICATES = 'gax_summaries_duplicates_total';
const MIRROR_LAG = 'gax_summaries_mirror_lag_rows';
const MIRRORED = 'gax_summaries_mirrored_rows_total';

/** The plugin's metric families in `registry`, registered by its first instance and shared. */
function families(registry: Registry, plugin?: string) {
  return {
    transactions: sharedMetric(
      registry,
      TRANSACTIONS,
      (registers) =>
        new Counter({
          name: TRANSACTIONS,
          help: 'Batch transactions by outcome: `committed`, `already_applied` (a resend found its positions stored: nothing added), or the error (SQLSTATE or client code) that rolled it back.',
          labelNames: ['plugin', 'outcome'],
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
          help: 'Time of one batch transaction, BEGIN to COMMIT (or the failure).',
          labelNames: ['plugin'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers,
        }),
      plugin,
    ),
    rows: sharedMetric(
      registry,
      ROWS,
      (registers) =>
        new Counter({
          name: ROWS,
          help: 'Summary rows inserted or updated, by table (WSO2 name with its granularity, `ApiExeTime_HOURS`).',
          labelNames: ['plugin', 'table'],
          registers,
        }),
      plugin,
    ),
    duplicates: sharedMetric(
      registry,
      DUPLICATES,
      (registers) =>
        new Counter({
          name: DUPLICATES,
          help: 'Events not counted because the same event (type and correlation id) was counted within `dedupeWindow`.',
          labelNames: ['plugin'],
          registers,
        }),
      plugin,
    ),
    mirrorLag: sharedMetric(
      registry,
      MIRROR_LAG,
      (registers) =>
        new Gauge({
          name: MIRROR_LAG,
          help: 'Changed summary rows committed in PostgreSQL but not yet in the Elasticsearch summary indices (outbox rows after the mirrored revision).',
          labelNames: ['plugin'],
          registers,
        }),
      plugin,
    ),
    mirrored: sharedMetric(
      registry,
      MIRRORED,
      (registers) =>
        new Counter({
          name: MIRRORED,
          help: 'Summary documents written to Elasticsearch by outcome: `indexed`, `superseded` (a later revision was already there), `retry` (429/5xx: sent again), `rejected` (refused: skipped, logged).',
          labelNames: ['plugin', 'outcome'],
          registers,
        }),
      plugin,
    ),
  };
}

/** Declares every metric an instance registers (the metrics docs check). */
export function registerSummariesMetrics(registry: Registry): void {
  families(registry);
}

/** One instance's self-metrics. */
export class SummariesMetrics extends InstanceMetrics<ReturnType<typeof families>> {
  constructor(registry: Registry, plugin: string) {
    super(registry, plugin, families);
  }

  /** Starts timing a transaction; call the result with its outcome. */
  startTransaction(): (outcome: string) => void {
    const end = this.families.duration.startTimer({ plugin: this.plugin });
    return (outcome) => {
      end();
      this.families.transactions.inc({ plugin: this.plugin, outcome });
    };
  }

  rows(counts: ReadonlyMap<string, number>): void {
    for (const [table, n] of counts) this.families.rows.inc({ plugin: this.plugin, table }, n);
  }

  duplicates(n: number): void {
    if (n > 0) this.families.duplicates.inc({ plugin: this.plugin }, n);
  }

  mirrored(outcome: string, n: number): void {
    if (n > 0) this.families.mirrored.inc({ plugin: this.plugin, outcome }, n);
  }

  mirrorLag(rows: number): void {
    this.families.mirrorLag.set({ plugin: this.plugin }, rows);
  }
}
