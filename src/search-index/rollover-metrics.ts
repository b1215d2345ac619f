import { Counter, type Registry } from 'prom-client';
import { sharedMetric } from '../telemetry/instance-metrics.js';
import { BulkMetrics, bulkFamilies, type Engine } from './metrics.js';
import { PROBE_STAGES, type ProbeStage } from './rollover.js';

/**
 * The bulk families plus the rollover checks of data streams
 * (`gax_<engine>_rollover_probes_total`, `gax_<engine>_rollover_duplicates_total`, by stage),
 * registered by an engine's first instance and shared by the others.
 */
export function rolloverFamilies(registry: Registry, engine: Engine, plugin?: string) {
  const probes = `gax_${engine.name}_rollover_probes_total`;
  const duplicates = `gax_${engine.name}_rollover_duplicates_total`;
  return {
    ...bulkFamilies(registry, engine, plugin),
    probes: sharedMetric(
      registry,
      probes,
      (registers) =>
        new Counter({
          name: probes,
          help: 'Documents looked up by _id in a data stream backing index other than the write index (rollover check), by stage.',
          labelNames: ['plugin', 'stage'],
          registers,
        }),
      plugin,
    ),
    rolloverDuplicates: sharedMetric(
      registry,
      duplicates,
      (registers) =>
        new Counter({
          name: duplicates,
          help: 'Earlier copies found in a rolled-over backing index, by stage: before_create (not sent), after_create and repair (the later copy deleted).',
          labelNames: ['plugin', 'stage'],
          registers,
        }),
      plugin,
    ),
  };
}

type RolloverFamilies = ReturnType<typeof rolloverFamilies>;

/**
 * One instance's bulk metrics (metrics.ts) and the rollover checks of its data streams
 * (rollover-guard.ts); every stage starts at 0.
 */
export class RolloverMetrics extends BulkMetrics<RolloverFamilies> {
  constructor(registry: Registry, plugin: string, engine: Engine) {
    super(registry, plugin, (r, p) => rolloverFamilies(r, engine, p));
    const { probes, rolloverDuplicates } = this.families;
    for (const stage of PROBE_STAGES) {
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
