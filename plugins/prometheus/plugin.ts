import type { Plugin, PluginSettings } from '../../src/plugin/contract.js';
import type { PluginModule } from '../../src/plugin/define.js';
import { allOf, DELIVERED, type EventResult } from '../../src/plugin/result.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import type { PrometheusConfig } from './config.js';
import type { PrometheusDelta } from './delta.js';
import { DeltaApplier } from './delta-apply.js';
import { mappingOptions } from './layout.js';
import { type Labels, type MappingOptions, observe, type Recorder } from './mapping.js';
import { GatewayMetrics, unknownAllowLabels } from './metrics.js';

/**
 * Counts canonical events into gateway metrics served on the daemon's `/metrics`. Counting is
 * in memory and cannot fail, so every event is `delivered` once counted. Counters start at 0
 * with the process (see README: what a restart does to counters).
 */
export class PrometheusPlugin implements Plugin {
  readonly #config: PrometheusConfig;
  readonly #settings: PluginSettings;
  #metrics: GatewayMetrics | undefined;
  #applier: DeltaApplier | undefined;
  /** One label object for every observation (see `observe`). */
  readonly #labels: Labels = {};
  readonly #options: MappingOptions;

  constructor(config: PrometheusConfig, settings: PluginSettings) {
    this.#config = config;
    this.#settings = settings;
    this.#options = mappingOptions(config);
  }

  async start(): Promise<void> {
    if (this.#metrics !== undefined) return;
    const { registry, id, logger } = this.#settings;
    this.#metrics = new GatewayMetrics(this.#config, registry, id);
    this.#applier = new DeltaApplier(this.#metrics);
    const unknown = unknownAllowLabels(this.#config);
    if (unknown.length > 0) {
      logger.warn(
        { keys: unknown, metricPrefix: this.#config.metricPrefix },
        'allowLabels names metrics this instance does not have (keys are metric names with its metricPrefix); ignored.',
      );
    }
  }

  async send(batch: readonly CanonicalEvent[]): Promise<readonly EventResult[]> {
    const metrics = this.#metrics;
    if (metrics === undefined) throw new Error('prometheus plugin used before start');
    const options = this.#options;
    const labels = this.#labels;
    const record: Recorder = (metric, l, value) => metrics.record(metric, l, value);
    for (const event of batch) observe(event, options, record, labels);
    return allOf(batch.length, DELIVERED);
  }

  /**
   * The worker path's entry (issue 17, not wired yet): the delta a parse worker's recorder
   * (delta.ts) made from the next events, applied as `send()` of those events would record them.
   * Deltas must arrive in event order across sources. One `delivered` per observed event.
   */
  async sendPrepared(source: number, delta: PrometheusDelta): Promise<readonly EventResult[]> {
    const applier = this.#applier;
    if (applier === undefined) throw new Error('prometheus plugin used before start');
    applier.apply(source, delta);
    return allOf(delta.observed, DELIVERED);
  }

  /** Worker `source` restarted: its tuple ids are dropped; its new recorder starts afresh. */
  forgetSource(source: number): void {
    this.#applier?.forget(source);
  }

  async stop(): Promise<void> {
    this.#metrics?.remove();
    this.#metrics = undefined;
    this.#applier = undefined;
  }
}

/** The plugin's code module (see `prometheusPlugin` in index.ts). */
export const create: PluginModule<PrometheusConfig>['create'] = (config, settings) =>
  new PrometheusPlugin(config, settings);
