import { warnIfInsecure } from '../../src/http/client-tls.js';
import type { Plugin, PluginFactory, PluginSettings } from '../../src/plugin/contract.js';
import { allOf, type EventResult, retryable } from '../../src/plugin/result.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { classifyItem, classifyRequestFailure } from './classify.js';
import type { EsClient } from './client.js';
import { type ElasticsearchConfig, ElasticsearchConfigSchema } from './config.js';
import { bulkLines, toBulkChunks } from './mapping.js';
import { EsMetrics } from './metrics.js';
import { buildTemplates } from './templates.js';

/**
 * Indexes canonical events into WSO2-compatible indices with the bulk API. One `send` splits
 * its batch into bulk requests of at most `flushBytes`; `concurrency` batches are in flight at
 * once (`maxInFlight`), and each `send` returns a
 * result per document: a 409 on `create` (deterministic `_id`) is a duplicate, i.e. delivered;
 * 429/5xx/timeouts are retried by the pipeline (only those documents); mapping errors are
 * dead-lettered with Elasticsearch's reason. See README.md.
 */
class ElasticsearchPlugin implements Plugin {
  readonly #config: ElasticsearchConfig;
  readonly #settings: PluginSettings;
  #client: EsClient | undefined;
  #metrics: EsMetrics | undefined;
  #templatesReady: boolean;
  /** The one template installation concurrent sends wait for. */
  #installing: Promise<EventResult | undefined> | undefined;
  /** `concurrency` batches in `send` at once: bulk requests stay busy across batch boundaries. */
  readonly maxInFlight: number;

  constructor(config: ElasticsearchConfig, settings: PluginSettings) {
    this.#config = config;
    this.#settings = settings;
    this.#templatesReady = !config.templates.install;
    this.maxInFlight = config.concurrency;
  }

  async start(): Promise<void> {
    this.#metrics ??= new EsMetrics(this.#settings.registry, this.#settings.id);
    // Loaded here: the Elasticsearch client is ~8 MiB of heap (and more RSS) that a daemon
    // without this plugin, and every other `gax` command, should not carry.
    const { EsClient } = await import('./client.js');
    this.#client ??= await EsClient.open(this.#config);
    warnIfInsecure(this.#settings.logger, this.#settings.id, this.#config.tls);
    const { node, cloudId, indexPrefix, indexMode } = this.#config;
    this.#settings.logger.info(
      { plugin: this.#settings.id, node: cloudId === undefined ? node : 'cloud', indexPrefix, indexMode },
      'Elasticsearch plugin started.',
    );
  }

  async send(batch: readonly CanonicalEvent[], signal: AbortSignal): Promise<readonly EventResult[]> {
    const client = this.#client;
    if (client === undefined) throw new Error('elasticsearch plugin used before start');
    this.#installing ??= this.#ensureTemplates(client, signal).then((blocked) => {
      if (blocked !== undefined) this.#installing = undefined; // the next send tries again
      return blocked;
    });
    const blocked = await this.#installing;
    if (blocked !== undefined) return allOf(batch.length, blocked);
    const results = new Array<EventResult>(batch.length);
    const chunks = toBulkChunks(batch, this.#config, this.#config.flushBytes);
    for (const chunk of chunks) {
      await this.#sendRange(client, batch, chunk.start, chunk.end, chunk.body, results, signal);
    }
    return results;
  }

  async stop(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#metrics?.remove();
    this.#metrics = undefined;
    await client?.close();
  }

  /** Installs the templates once; a failure other than "not allowed" holds the batch back. */
  async #ensureTemplates(client: EsClient, signal: AbortSignal): Promise<EventResult | undefined> {
    if (this.#templatesReady) return undefined;
    const { logger, id } = this.#settings;
    try {
      await client.installTemplates(buildTemplates(this.#config), signal);
      this.#templatesReady = true;
      logger.info({ plugin: id, indexPrefix: this.#config.indexPrefix }, 'Index templates installed.');
      return undefined;
    } catch (err) {
      const { toFailure } = await import('./client.js'); // loaded by start: no I/O
      const failure = toFailure(err);
      if (failure.statusCode === 403) {
        this.#templatesReady = true;
        logger.warn(
          { plugin: id, reason: failure.message, code: 'GAX_ERR_ES_TEMPLATES' },
          'Not allowed to install index templates; indexing without them. Run `gax setup elasticsearch` as an administrator, or set templates.install: false.',
        );
        return undefined;
      }
      const why =
        failure.statusCode === undefined
          ? `${failure.name}: ${failure.message}`
          : `elasticsearch ${failure.statusCode}: ${failure.message}`;
      return retryable(`installing index templates: ${why}`, failure.retryAfterMs);
    }
  }

  async #sendRange(
    client: EsClient,
    batch: readonly CanonicalEvent[],
    start: number,
    end: number,
    body: string,
    results: EventResult[],
    signal: AbortSignal,
  ): Promise<void> {
    const metrics = this.#metrics as EsMetrics;
    const timer = metrics.startRequest();
    const response = await client.bulk(body, signal);
    if (!response.ok) {
      const { failure } = response;
      timer(failure.statusCode === undefined ? 'error' : String(failure.statusCode));
      if (failure.statusCode === 413 && end - start > 1) {
        const mid = start + Math.floor((end - start) / 2);
        await this.#sendRange(client, batch, start, mid, this.#body(batch, start, mid), results, signal);
        await this.#sendRange(client, batch, mid, end, this.#body(batch, mid, end), results, signal);
        return;
      }
      const result = classifyRequestFailure(failure);
      for (let i = start; i < end; i++) results[i] = result;
      metrics.documents(result.status === 'rejected' ? 'rejected' : 'retryable', failure.name, end - start);
      return;
    }
    timer('200');
    const { items } = response;
    if (items.length !== end - start) {
      const result = retryable(`bulk response had ${items.length} items for ${end - start} documents`);
      for (let i = start; i < end; i++) results[i] = result;
      metrics.documents('retryable', 'item_count_mismatch', end - start);
      return;
    }
    items.forEach((item, k) => {
      const classified = classifyItem(item);
      results[start + k] = classified.result;
      metrics.documents(classified.outcome, classified.errorType, 1);
    });
  }

  #body(batch: readonly CanonicalEvent[], start: number, end: number): string {
    let body = '';
    for (let i = start; i < end; i++) body += bulkLines(batch[i] as CanonicalEvent, this.#config);
    return body;
  }
}

export const elasticsearchPlugin = {
  type: 'elasticsearch',
  configSchema: ElasticsearchConfigSchema,
  create: (config, settings): Plugin => new ElasticsearchPlugin(config, settings),
} satisfies PluginFactory<ElasticsearchConfig>;
