import { hostname } from 'node:os';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import type { ErrorCode } from '../../src/errors.js';
import { warnIfInsecure } from '../../src/http/client-tls.js';
import type { Plugin, PluginSettings } from '../../src/plugin/contract.js';
import type { PluginModule } from '../../src/plugin/define.js';
import { HeldBatches } from '../../src/plugin/held-batches.js';
import { DELIVERED, type EventResult, retryable } from '../../src/plugin/result.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { LogRateLimiter } from '../../src/telemetry/rate-limit.js';
import { Aggregator } from './aggregate.js';
import { classifyOutcome, classifyPartial, type OtlpOutcome, type Signal } from './classify.js';
import { encodeLogs, encodeMetrics, type OtlpClient } from './client.js';
import type { OtlpConfig } from './config.js';
import { LogResources, logRecord } from './logs.js';
import { MetricsExport } from './metrics-export.js';
import { OtlpMetrics } from './metrics-self.js';
import { SEMCONV } from './semconv.js';

/** Batches held for one export; reaching it exports early (reading never waits long). */
const MAX_IN_FLIGHT = 8;
/** Log records per logs request (a Collector takes 20 MiB bodies by default: ~2 KB a record fits). */
export const LOGS_PER_REQUEST = 1000;

interface Waiting {
  readonly events: readonly CanonicalEvent[];
  readonly resolve: (results: EventResult[]) => void;
  /** For a bug (a body that cannot be built): `send` throws, as the contract wants. */
  readonly reject: (err: unknown) => void;
}

/**
 * Sends the gateway metrics and one log record per event over OTLP/HTTP (README.md, DESIGN.md).
 * `send` holds its batch until the next export (every `exportIntervalMs`, or as soon as
 * `maxInFlight` batches wait) and resolves with what that export came to: a batch is
 * acknowledged only once the export carrying its events succeeded. An event is counted in the
 * metrics once (metrics-export.ts: totals never shrink, except by what a receiver refused), and
 * a log record the receiver accepted is not sent again when its batch is retried.
 */
class OtlpPlugin implements Plugin {
  readonly maxInFlight = MAX_IN_FLIGHT;
  readonly #config: OtlpConfig;
  readonly #settings: PluginSettings;
  readonly #agg: Aggregator;
  readonly #metricsExport: MetricsExport;
  readonly #logsSent = new WeakSet<CanonicalEvent>();
  readonly #limiter = new LogRateLimiter(60_000);
  readonly #warnedOverflow = new Set<string>();
  #client: OtlpClient | undefined;
  #metrics: OtlpMetrics | undefined;
  #resource: Resource | undefined;
  #logResources: LogResources | undefined;
  readonly #held = new HeldBatches<Waiting>(MAX_IN_FLIGHT, (waiting) => this.#flush(waiting));
  /** Cancels requests in flight once `stop`'s deadline has passed (see the Datadog plugin's). */
  readonly #cancel = new AbortController();

  constructor(config: OtlpConfig, settings: PluginSettings) {
    this.#config = config;
    this.#settings = settings;
    this.#agg = new Aggregator(config);
    this.#metricsExport = new MetricsExport(this.#agg, config.temporality);
  }

  async start(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => void this.#held.flush(), { once: true });
    this.#metrics ??= new OtlpMetrics(this.#settings.registry, this.#settings.id);
    this.#agg.onOverflow = (metric) => this.#overflow(metric);
    const { OtlpClient } = await import('./client.js');
    this.#client ??= await OtlpClient.open(this.#config);
    warnIfInsecure(this.#settings.logger, this.#config.tls);
    const base = { [SEMCONV.serviceName]: 'gax', ...this.#config.resource };
    this.#resource = resourceFromAttributes({ [SEMCONV.hostName]: hostname(), ...base });
    this.#logResources = new LogResources(base);
    this.#metricsExport.start(Date.now());
    this.#held.every(this.#config.exportIntervalMs, () => this.#tick());
    const { endpoint, encoding, temporality, histogram, signals } = this.#config;
    this.#settings.logger.info(
      { endpoint, encoding, temporality, histogram, signals },
      'OTLP plugin started.',
    );
  }

  send(batch: readonly CanonicalEvent[]): Promise<readonly EventResult[]> {
    if (this.#client === undefined) throw new Error('otlp plugin used before start');
    if (batch.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => this.#held.hold({ events: batch, resolve, reject }));
  }

  async stop(deadlineMs: number): Promise<void> {
    this.#held.stopTimer();
    const cancel = setTimeout(() => this.#cancel.abort(), Math.max(0, deadlineMs - Date.now()));
    await this.#held.flush().finally(() => clearTimeout(cancel));
    const metrics = this.#metrics;
    this.#metrics = undefined;
    await metrics?.remove();
    this.#client?.close();
    this.#client = undefined;
  }

  /** The interval: export what waits; when idle, re-send the cumulative totals (as an SDK does). */
  async #tick(): Promise<void> {
    if (this.#held.busy) return this.#held.flush();
    const client = this.#client;
    if (client === undefined || !this.#config.signals.metrics || this.#config.temporality === 'delta') return;
    // A failure here is counted in the self-metrics; the next interval tries again.
    await this.#held.exclusive(() =>
      this.#exportMetrics(client, []).then(
        () => undefined,
        (err: unknown) =>
          this.#settings.logger.error(
            { err, code: 'GAX_ERR_PLUGIN_SEND' satisfies ErrorCode },
            'Building the OTLP metrics export failed.',
          ),
      ),
    );
  }

  /** One export of the held batches (src/plugin/held-batches.ts runs one at a time). */
  async #flush(waiting: readonly Waiting[]): Promise<void> {
    const client = this.#client;
    if (client === undefined) {
      for (const w of waiting) w.resolve(w.events.map(() => retryable('otlp plugin stopped')));
      return;
    }
    await this.#export(client, waiting).catch((err: unknown) => {
      for (const w of waiting) w.reject(err);
    });
  }

  async #export(client: OtlpClient, waiting: readonly Waiting[]): Promise<void> {
    const events = waiting.flatMap((w) => w.events);
    const results = new Map<CanonicalEvent, EventResult>();
    if (this.#config.signals.metrics) {
      const result = await this.#exportMetrics(client, events);
      if (result.status !== 'delivered') {
        for (const w of waiting) w.resolve(w.events.map(() => result));
        return;
      }
    }
    if (this.#config.signals.logs) await this.#exportLogs(client, events, results);
    for (const w of waiting) w.resolve(w.events.map((e) => results.get(e) ?? DELIVERED));
  }

  /** The aggregates with the events not counted yet, exported (metrics-export.ts decides what stays counted). */
  #exportMetrics(client: OtlpClient, events: readonly CanonicalEvent[]): Promise<EventResult> {
    return this.#metricsExport.export(events, this.#resource as Resource, async (rm, points) => {
      const outcome = await this.#timed('metrics', () =>
        client.export('metrics', encodeMetrics(rm, this.#config.encoding), this.#cancel.signal),
      );
      let result = classifyOutcome('metrics', outcome);
      if (result.status === 'delivered') result = this.#partial('metrics', outcome, points);
      if (result.status === 'delivered') this.#metrics?.points(points - (outcome.rejectedItems ?? 0));
      return result;
    });
  }

  /** Log records of the events not sent yet, in requests of {@link LOGS_PER_REQUEST}; results by event. */
  async #exportLogs(
    client: OtlpClient,
    events: readonly CanonicalEvent[],
    results: Map<CanonicalEvent, EventResult>,
  ): Promise<void> {
    const unsent = events.filter((e) => !this.#logsSent.has(e));
    const resources = this.#logResources as LogResources;
    let failed: EventResult | undefined;
    for (let i = 0; i < unsent.length; i += LOGS_PER_REQUEST) {
      const chunk = unsent.slice(i, i + LOGS_PER_REQUEST);
      if (failed?.status === 'retryable') {
        for (const e of chunk) results.set(e, failed);
        continue;
      }
      const now = Date.now();
      const records = chunk.map((e) => logRecord(e, resources.of(e), now));
      const outcome = await this.#timed('logs', () =>
        client.export('logs', encodeLogs(records, this.#config.encoding), this.#cancel.signal),
      );
      let result = classifyOutcome('logs', outcome);
      if (result.status === 'delivered') result = this.#partial('logs', outcome, records.length);
      if (result.status === 'delivered') {
        for (const e of chunk) this.#logsSent.add(e);
        this.#metrics?.logs(records.length);
        continue;
      }
      failed = result;
      for (const e of chunk) results.set(e, result);
    }
  }

  /** A 2xx answer's partial success: counted, logged (rate-limited), classified. */
  #partial(signal: Signal, outcome: OtlpOutcome, sent: number): EventResult {
    const rejected = outcome.rejectedItems ?? 0;
    if (rejected <= 0) return DELIVERED;
    this.#metrics?.rejected(signal, rejected);
    const result = classifyPartial(signal, rejected, sent, outcome.message);
    const suppressed = this.#limiter.allow(`partial-${signal}`);
    if (suppressed !== undefined) {
      this.#settings.logger.warn(
        {
          code: 'GAX_ERR_OTLP_PARTIAL' satisfies ErrorCode,
          signal,
          rejected,
          sent,
          message: outcome.message,
          result: result.status,
          suppressed,
        },
        'The OTLP receiver rejected part of an export.',
      );
    }
    return result;
  }

  #overflow(metric: string): void {
    this.#metrics?.overflow(metric);
    if (this.#warnedOverflow.has(metric)) return;
    this.#warnedOverflow.add(metric);
    this.#settings.logger.warn(
      {
        code: 'GAX_ERR_OTLP_SERIES_CAP' satisfies ErrorCode,
        metric,
        maxSeriesPerMetric: this.#config.maxSeriesPerMetric,
      },
      'A metric reached maxSeriesPerMetric attribute sets; further ones are counted in its otel.metric.overflow series.',
    );
  }

  async #timed(signal: Signal, call: () => Promise<OtlpOutcome>): Promise<OtlpOutcome> {
    const done = this.#metrics?.startRequest(signal);
    const outcome = await call();
    done?.(outcome.status === undefined ? 'error' : String(outcome.status));
    return outcome;
  }
}

/** The plugin's code module (see `otlpPlugin` in index.ts). */
export const create: PluginModule<OtlpConfig>['create'] = (config, settings) =>
  new OtlpPlugin(config, settings);
