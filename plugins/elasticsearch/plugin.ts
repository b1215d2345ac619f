import type { ErrorCode } from '../../src/errors.js';
import { warnIfInsecure } from '../../src/http/client-tls.js';
import type { Plugin, PluginSettings } from '../../src/plugin/contract.js';
import type { PluginModule } from '../../src/plugin/define.js';
import { allOf, type EventResult, retryable } from '../../src/plugin/result.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { BulkSender } from '../../src/search-index/bulk-send.js';
import type { GuardedSend, StreamEngine } from '../../src/search-index/rollover-send.js';
import type { BulkItem } from './classify.js';
import type { EsClient } from './client.js';
import type { ElasticsearchConfig } from './config.js';
import { type BulkChunk, bulkLines, targetIndex, toBulkChunks } from './mapping.js';
import { EsMetrics } from './metrics.js';
import { buildTemplates } from './templates.js';

/** The data streams of this plugin, for the shared rollover guard (src/search-index/rollover-send.ts). */
const ELASTICSEARCH_STREAMS: StreamEngine<ElasticsearchConfig> = {
  engine: 'elasticsearch',
  probeFailedCode: 'GAX_ERR_ES_ROLLOVER_PROBE',
  streamOf: targetIndex,
  linesOf: bulkLines,
};

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
  /** `dataStream` mode only: exactly once across a rollover (src/search-index/rollover-guard.ts). */
  #guarded: GuardedSend | undefined;
  #aliasWarned = false;
  #sender: BulkSender | undefined;
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
    const { EsClient, toFailure } = await import('./client.js');
    this.#client ??= await EsClient.open(this.#config);
    const client = this.#client;
    const metrics = this.#metrics;
    // Made again at each start: it holds this start's client and metrics.
    const sender = new BulkSender({
      engine: 'elasticsearch',
      metrics,
      bulk: (body, signal) => client.bulk(body, signal),
      linesOf: (event) => bulkLines(event, this.#config),
    });
    this.#sender = sender;
    // Made again at each start too: the data stream guard, on this start's client.
    const session = {
      client: client.forRollover(),
      metrics,
      sender,
      logger: this.#settings.logger,
      failureOf: toFailure,
    };
    this.#guarded =
      this.#config.indexMode === 'dataStream'
        ? (await import('../../src/search-index/rollover-send.js')).guardedSend(
            this.#config,
            ELASTICSEARCH_STREAMS,
            session,
          )
        : undefined;
    warnIfInsecure(this.#settings.logger, this.#config.tls);
    const { node, cloudId, indexPrefix, indexMode } = this.#config;
    this.#settings.logger.info(
      { node: cloudId === undefined ? node : 'cloud', indexPrefix, indexMode },
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
    if (this.#guarded !== undefined) return this.#guarded.send(batch, results, signal);
    for (const chunk of toBulkChunks(batch, this.#config, this.#config.flushBytes)) {
      await this.#sendRange(batch, chunk, results, signal);
    }
    return results;
  }

  async stop(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    const metrics = this.#metrics;
    this.#metrics = undefined;
    await metrics?.remove();
    await client?.close();
  }

  /** Installs the templates once; a failure other than "not allowed" holds the batch back. */
  async #ensureTemplates(client: EsClient, signal: AbortSignal): Promise<EventResult | undefined> {
    if (this.#templatesReady) return undefined;
    const { logger } = this.#settings;
    try {
      await client.installTemplates(buildTemplates(this.#config), signal);
      this.#templatesReady = true;
      logger.info({ indexPrefix: this.#config.indexPrefix }, 'Index templates installed.');
      return undefined;
    } catch (err) {
      const { toFailure } = await import('./client.js'); // loaded by start: no I/O
      const failure = toFailure(err);
      if (failure.statusCode === 403) {
        this.#templatesReady = true;
        logger.warn(
          { reason: failure.message, code: 'GAX_ERR_ES_TEMPLATES' satisfies ErrorCode },
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

  /** One bulk request (src/search-index/bulk-send.ts); an alias behind `index` mode is said once. */
  #sendRange(
    batch: readonly CanonicalEvent[],
    chunk: BulkChunk,
    results: EventResult[],
    signal: AbortSignal,
  ): Promise<void> {
    const sender = this.#sender as BulkSender;
    return sender.sendRange(batch, chunk, results, signal, async (start, items, out) => {
      if (!this.#aliasWarned) this.#warnIfAlias(batch[start] as CanonicalEvent, items[0]);
      sender.classifyItems(start, items, out);
    });
  }

  /**
   * `index` mode writing through a rollover alias or data stream set up by hand (an item's
   * `_index` is not the fixed name): said once, since a resend across its rollover is not
   * checked there (README.md, "Exactly once, per mode").
   */
  #warnIfAlias(event: CanonicalEvent, item: BulkItem | undefined): void {
    if (this.#config.indexMode !== 'index' || item?._index === undefined) return;
    const target = targetIndex(event, this.#config);
    if (item._index === target) return;
    this.#aliasWarned = true;
    this.#settings.logger.warn(
      {
        index: target,
        writtenTo: item._index,
        code: 'GAX_ERR_ES_ALIAS' satisfies ErrorCode,
      },
      'indexMode index writes through an alias or data stream: a resend across its rollover can be a second document. Use indexMode: dataStream for rollover.',
    );
  }
}

/** The plugin's code module (see `elasticsearchPlugin` in index.ts). */
export const create: PluginModule<ElasticsearchConfig>['create'] = (config, settings) =>
  new ElasticsearchPlugin(config, settings);
