import { warnIfInsecure } from '../../src/http/client-tls.js';
import type { Plugin, PluginSettings } from '../../src/plugin/contract.js';
import type { PluginModule } from '../../src/plugin/define.js';
import { HeldBatches } from '../../src/plugin/held-batches.js';
import { DELIVERED, type EventResult, rejected, retryable } from '../../src/plugin/result.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { LogRateLimiter } from '../../src/telemetry/rate-limit.js';
import { Aggregator, type Contribution } from './aggregate.js';
import { classifyOutcome, type DdOutcome } from './classify.js';
import type { DdClient } from './client.js';
import type { DatadogConfig } from './config.js';
import { nextGeneration } from './generation.js';
import { LOG_ITEM_BYTES, type SizedLog, sizedLog } from './log-size.js';
import { globalTags } from './mapping.js';
import { DdMetrics } from './metrics-self.js';
import { distributionPayload, logChunks, seriesPayloads, VALUES_PER_REQUEST, valueCount } from './payload.js';

interface Waiting {
  readonly contribution: Contribution;
  readonly resolve: (result: EventResult) => void;
}

/** Batches held for one flush; reaching it flushes early (reading never waits long). */
const MAX_IN_FLIGHT = 8;

/**
 * Sends request metrics to Datadog, pre-aggregated by event time (plugins/datadog/DESIGN.md).
 * `send` aggregates its batch and resolves when the flush carrying it succeeded or failed: a
 * flush runs every `flushIntervalSeconds`, or as soon as `maxInFlight` batches wait. Count points
 * carry whole totals (idempotent when resent); distribution values and logs are sent once per
 * event (an event whose values were accepted is not sent twice when its batch is retried).
 */
class DatadogPlugin implements Plugin {
  readonly maxInFlight = MAX_IN_FLIGHT;
  readonly #config: DatadogConfig;
  readonly #settings: PluginSettings;
  readonly #agg: Aggregator;
  readonly #valuesSent = new WeakSet<CanonicalEvent>();
  readonly #logsSent = new WeakSet<CanonicalEvent>();
  readonly #oversizedLimiter = new LogRateLimiter();
  #client: DdClient | undefined;
  #metrics: DdMetrics | undefined;
  #slot = 0;
  readonly #held = new HeldBatches<Waiting>(MAX_IN_FLIGHT, (waiting) => this.#flush(waiting));
  /**
   * Cancels requests in flight once `stop`'s deadline has passed. Not the daemon's signal: that
   * one fires when shutdown *starts*, and the events waiting for the next flush must still go out
   * then (each request is bounded by `requestTimeoutMs` anyway).
   */
  readonly #cancel = new AbortController();

  constructor(config: DatadogConfig, settings: PluginSettings) {
    this.#config = config;
    this.#settings = settings;
    this.#agg = new Aggregator(config);
  }

  async start(signal: AbortSignal): Promise<void> {
    // Shutdown begins: send what waits now instead of at the next interval, so the lanes get
    // their answers well within the shutdown deadline.
    signal.addEventListener('abort', () => void this.#held.flush(), { once: true });
    this.#metrics ??= new DdMetrics(this.#settings.registry, this.#settings.id);
    this.#agg.onCollapse = (metric) => this.#metrics?.collapsed(metric);
    // Loaded here: the Datadog API client takes about a second to import, which every other
    // `gax` command (and a daemon without this plugin) should not pay.
    const { DdClient } = await import('./client.js');
    this.#client ??= await DdClient.open(this.#config);
    warnIfInsecure(this.#settings.logger, this.#config.tls);
    const generation = await nextGeneration(this.#settings.stateDir, this.#settings.id);
    this.#slot = generation % this.#config.flushIntervalSeconds;
    this.#held.every(this.#config.flushIntervalSeconds * 1000);
    const { site, url, prefix } = this.#config;
    this.#settings.logger.info(
      { site: url === undefined ? site : 'custom url', prefix, generation },
      'Datadog plugin started.',
    );
  }

  async send(batch: readonly CanonicalEvent[]): Promise<readonly EventResult[]> {
    if (this.#client === undefined) throw new Error('datadog plugin used before start');
    const results = new Array<EventResult>(batch.length);
    const { contribution, refused } = this.#agg.add(batch, Date.now(), this.#valuesSent);
    for (const [i, reason] of refused) results[i] = rejected(reason);
    if (contribution.indices.length > 0) {
      const outcome = await new Promise<EventResult>((resolve) => this.#held.hold({ contribution, resolve }));
      for (const i of contribution.indices) results[i] = outcome;
    }
    return results;
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

  /** One flush of the held batches (src/plugin/held-batches.ts runs one at a time). */
  async #flush(waiting: readonly Waiting[]): Promise<void> {
    const client = this.#client;
    if (client === undefined) {
      for (const w of waiting) w.resolve(retryable('datadog plugin stopped'));
      return;
    }
    await this.#send(client, waiting).finally(() => this.#agg.nextFlush(Date.now()));
  }

  async #send(client: DdClient, waiting: readonly Waiting[]): Promise<void> {
    const metrics = this.#metrics as DdMetrics;
    const { prefix } = this.#config;
    const totals = this.#agg.totals(waiting.map((w) => w.contribution));
    for (const body of seriesPayloads(totals, this.#agg, prefix, this.#slot)) {
      const outcome = await this.#timed('series', () => client.submitSeries(body, this.#cancel.signal));
      if (!ok(outcome)) return fail(waiting, classifyOutcome(outcome));
      metrics.points(
        'count',
        body.series.reduce((n, s) => n + s.points.length, 0),
      );
    }
    for (const group of groups(waiting)) {
      const result = await this.#sendGroup(client, group);
      for (const w of group) {
        if (result.status === 'delivered') this.#agg.commit(w.contribution);
        w.resolve(result);
      }
    }
  }

  /** Distribution values, then logs, of a group of batches; the group's result. */
  async #sendGroup(client: DdClient, group: readonly Waiting[]): Promise<EventResult> {
    const metrics = this.#metrics as DdMetrics;
    const contributions = group.map((w) => w.contribution);
    const values = contributions.reduce((n, c) => n + valueCount(c), 0);
    if (values > 0) {
      const body = distributionPayload(contributions, this.#agg, this.#config.prefix);
      const outcome = await this.#timed('distribution_points', () =>
        client.submitDistributions(body, this.#cancel.signal),
      );
      if (!ok(outcome)) return classifyOutcome(outcome);
      metrics.points('distribution', values);
      for (const c of contributions) for (const e of c.events) this.#valuesSent.add(e);
    }
    if (!this.#config.logs.enabled) return DELIVERED;
    const tags = globalTags(this.#config);
    const unsent = contributions.flatMap((c) => c.events).filter((e) => !this.#logsSent.has(e));
    const logs = unsent.map((event) => sizedLog(event, this.#config, tags));
    this.#warnOversized(logs);
    for (const chunk of logChunks(logs, (l) => l.bytes)) {
      const items = chunk.map((l) => l.item);
      const outcome = await this.#timed('logs', () => client.submitLogs(items, this.#cancel.signal));
      if (!ok(outcome)) return classifyOutcome(outcome);
      for (const l of chunk) this.#logsSent.add(l.event);
      metrics.logs(items.length);
    }
    return DELIVERED;
  }

  /** Logs (rate-limited) the items made smaller to fit Datadog's 1 MB, or that Datadog will truncate. */
  #warnOversized(logs: readonly SizedLog[]): void {
    for (const l of logs) {
      if (l.omitted.length === 0 && l.bytes <= LOG_ITEM_BYTES) continue;
      const suppressed = this.#oversizedLimiter.allow('oversized');
      if (suppressed === undefined) continue;
      this.#settings.logger.warn(
        { correlationId: l.event.correlationId, omitted: l.omitted, bytes: l.bytes, suppressed },
        l.bytes <= LOG_ITEM_BYTES
          ? 'Datadog log over 1 MB: sent without the listed properties (named in its apim.omitted).'
          : 'Datadog log over 1 MB even without headers and MCP data: sent as is, Datadog truncates it.',
      );
    }
  }

  async #timed(endpoint: string, call: () => Promise<DdOutcome>): Promise<DdOutcome> {
    const done = (this.#metrics as DdMetrics).startRequest(endpoint);
    const outcome = await call();
    done(outcome.status === undefined ? 'error' : String(outcome.status));
    return outcome;
  }
}

function ok(outcome: DdOutcome): boolean {
  return outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300;
}

function fail(waiting: readonly Waiting[], result: EventResult): void {
  for (const w of waiting) w.resolve(result);
}

/** Batches grouped so one distribution request stays within VALUES_PER_REQUEST values. */
function groups(waiting: readonly Waiting[]): Waiting[][] {
  const out: Waiting[][] = [];
  let current: Waiting[] = [];
  let values = 0;
  for (const w of waiting) {
    const n = valueCount(w.contribution);
    if (current.length > 0 && values + n > VALUES_PER_REQUEST) {
      out.push(current);
      current = [];
      values = 0;
    }
    current.push(w);
    values += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The plugin's code module (see `datadogPlugin` in index.ts). */
export const create: PluginModule<DatadogConfig>['create'] = (config, settings) =>
  new DatadogPlugin(config, settings);
