import { Counter, Histogram, type Registry } from 'prom-client';
import type { Plugin, PluginFactory, PluginSettings } from '../../src/plugin/contract.js';
import { allOf, DELIVERED, type EventResult } from '../../src/plugin/result.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { type PrometheusConfig, PrometheusConfigSchema } from './config.js';
import { DURATION_LABELS, durationLabels, msToSeconds, REQUEST_LABELS, requestLabels } from './mapping.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Counts canonical events into gateway metrics served on the daemon's `/metrics`.
 * Delivery is in-memory, so every event is `delivered` once counted.
 */
class PrometheusPlugin implements Plugin {
  readonly #registry: Registry;
  #requests: Counter<(typeof REQUEST_LABELS)[number]> | undefined;
  #duration: Histogram<(typeof DURATION_LABELS)[number]> | undefined;

  constructor(_config: PrometheusConfig, settings: PluginSettings) {
    this.#registry = settings.registry;
  }

  async start(): Promise<void> {
    const registers = [this.#registry];
    this.#requests ??= new Counter({
      name: 'apim_requests_total',
      help: 'Gateway analytics events (requests), by API, resource template, method, status and event type.',
      labelNames: REQUEST_LABELS,
      registers,
    });
    this.#duration ??= new Histogram({
      name: 'apim_request_duration_seconds',
      help: 'Total gateway latency (responseLatency) of successful-path requests.',
      labelNames: DURATION_LABELS,
      buckets: LATENCY_BUCKETS,
      registers,
    });
  }

  async send(batch: readonly CanonicalEvent[]): Promise<readonly EventResult[]> {
    const requests = this.#requests;
    const duration = this.#duration;
    if (requests === undefined || duration === undefined)
      throw new Error('prometheus plugin used before start');
    for (const event of batch) {
      requests.inc(requestLabels(event));
      const seconds = msToSeconds(event.responseLatency);
      if (seconds !== undefined) duration.observe(durationLabels(event), seconds);
    }
    return allOf(batch.length, DELIVERED);
  }

  async stop(): Promise<void> {
    if (this.#requests !== undefined) this.#registry.removeSingleMetric('apim_requests_total');
    if (this.#duration !== undefined) this.#registry.removeSingleMetric('apim_request_duration_seconds');
    this.#requests = undefined;
    this.#duration = undefined;
  }
}

export const prometheusPlugin = {
  type: 'prometheus',
  configSchema: PrometheusConfigSchema,
  create: (config, settings): Plugin => new PrometheusPlugin(config, settings),
} satisfies PluginFactory<PrometheusConfig>;
