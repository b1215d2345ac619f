import { type ErrorCode, GaxError } from '../../src/errors.js';
import { warnIfInsecure } from '../../src/http/client-tls.js';
import type { Plugin, PluginSettings } from '../../src/plugin/contract.js';
import type { PluginModule } from '../../src/plugin/define.js';
import { allOf, type EventResult, retryable } from '../../src/plugin/result.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { BulkSender } from '../../src/search-index/bulk-send.js';
import { RolloverMetrics } from '../../src/search-index/rollover-metrics.js';
import type { GuardedSend, StreamEngine } from '../../src/search-index/rollover-send.js';
import { redactUrlCredentials } from '../../src/telemetry/redact.js';
import type { OsClient } from './client.js';
import type { OpenSearchConfig } from './config.js';
import { ismPolicy } from './ism.js';
import { osBulkChunks, osBulkLines, osIndex } from './mapping.js';
import { OPENSEARCH } from './metrics.js';
import { osTemplates } from './templates.js';

/** The data streams of this plugin, for the shared rollover guard (src/search-index/rollover-send.ts). */
const OPENSEARCH_STREAMS: StreamEngine<OpenSearchConfig> = {
  engine: 'opensearch',
  probeFailedCode: 'GAX_ERR_OS_ROLLOVER_PROBE',
  streamOf: osIndex,
  linesOf: osBulkLines,
};

/**
 * Indexes canonical events into the daily indices WSO2's Fluent Bit setup writes (or fixed ones)
 * with the bulk API: `create` with a deterministic `_id` (409 = already there = delivered), one
 * result per document (429/5xx retried by the pipeline, only those documents; mapping errors
 * dead-lettered with OpenSearch's reason), templates and the optional ISM policy installed before
 * the first bulk request. The bulk request and its classification are the Elasticsearch
 * plugin's (src/search-index/). See README.md.
 */
class OpenSearchPlugin implements Plugin {
  readonly #config: OpenSearchConfig;
  readonly #settings: PluginSettings;
  /** What one start opened, and stop closes; `guarded` in `dataStream` mode only. */
  #session:
    | {
        readonly client: OsClient;
        readonly metrics: RolloverMetrics;
        readonly sender: BulkSender;
        readonly guarded: GuardedSend | undefined;
      }
    | undefined;
  /** Templates and ISM policy: done, or the one attempt concurrent sends wait for. */
  #prepared = false;
  #ismReported = false;
  #preparing: Promise<EventResult | undefined> | undefined;
  readonly maxInFlight: number;

  constructor(config: OpenSearchConfig, settings: PluginSettings) {
    this.#config = config;
    this.#settings = settings;
    this.#prepared = !config.templates.install && !config.ism.enabled;
    this.maxInFlight = config.concurrency;
  }

  /**
   * Opens the client. With `ism.enabled`, asks the cluster whether it has the ISM plugin: a
   * cluster that answers without it fails the start (GAX_ERR_OS_ISM_MISSING); one that does not
   * answer yet is asked again before the first bulk request.
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#session !== undefined) return;
    // Loaded here: a daemon without this plugin, and every other `gax` command, does not carry the client.
    const { OsClient, ismMissing, toFailure } = await import('./client.js');
    const client = await OsClient.open(this.#config);
    const metrics = new RolloverMetrics(this.#settings.registry, this.#settings.id, OPENSEARCH);
    const sender = new BulkSender({
      engine: 'opensearch',
      metrics,
      bulk: (body, s) => client.bulk(body, s),
      linesOf: (event) => osBulkLines(event, this.#config),
    });
    let guarded: GuardedSend | undefined;
    if (this.#config.indexMode === 'dataStream') {
      const { guardedSend } = await import('../../src/search-index/rollover-send.js');
      const { logger } = this.#settings;
      const rollover = client.forRollover();
      guarded = guardedSend(this.#config, OPENSEARCH_STREAMS, {
        client: rollover,
        metrics,
        sender,
        logger,
        failureOf: toFailure,
      });
    }
    this.#session = { client, metrics, sender, guarded };
    warnIfInsecure(this.#settings.logger, this.#config.tls);
    const { node, nodes, indexPrefix, indexMode, ism } = this.#config;
    if (ism.enabled && (await this.#answersWithoutIsm(client, signal))) {
      await this.stop();
      throw ismMissing(ism.policyId);
    }
    this.#settings.logger.info(
      {
        node: (nodes ?? [node]).map(redactUrlCredentials).join(', '),
        indexPrefix,
        indexMode,
        ism: ism.enabled ? ism.policyId : false,
      },
      'OpenSearch plugin started.',
    );
  }

  async #answersWithoutIsm(client: OsClient, signal: AbortSignal): Promise<boolean> {
    try {
      return !(await client.hasIsm(signal));
    } catch (err) {
      this.#settings.logger.warn(
        { err },
        'OpenSearch did not answer at start; the ISM plugin is checked before the first bulk request.',
      );
      return false;
    }
  }

  async send(batch: readonly CanonicalEvent[], signal: AbortSignal): Promise<readonly EventResult[]> {
    if (this.#session === undefined) throw new Error('opensearch plugin used before start');
    const { client, sender, guarded } = this.#session;
    if (!this.#prepared) {
      this.#preparing ??= this.#prepare(client, signal).finally(() => {
        this.#preparing = undefined;
      });
      const blocked = await this.#preparing;
      if (blocked !== undefined) return allOf(batch.length, blocked);
    }
    const results = new Array<EventResult>(batch.length);
    if (guarded !== undefined) return guarded.send(batch, results, signal);
    for (const chunk of osBulkChunks(batch, this.#config, this.#config.flushBytes)) {
      await sender.sendRange(batch, chunk, results, signal);
    }
    return results;
  }

  async stop(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    await session?.metrics.remove();
    await session?.client.close();
  }

  /**
   * Installs the templates and the ISM policy once. "Not allowed" (403) on the templates is
   * logged and indexing goes on; anything else holds the batch back (retried).
   */
  async #prepare(client: OsClient, signal: AbortSignal): Promise<EventResult | undefined> {
    const { logger } = this.#settings;
    const { templates, ism, indexPrefix } = this.#config;
    const { toFailure } = await import('./client.js'); // loaded by start: no I/O
    try {
      if (templates.install) await this.#installTemplates(client, signal);
      if (ism.enabled) {
        const { result } = await client.installPolicy(ismPolicy(this.#config), signal);
        logger.info({ policy: ism.policyId, result }, 'ISM policy installed.');
      }
      this.#prepared = true;
      if (templates.install) logger.info({ indexPrefix }, 'Index templates installed.');
      return undefined;
    } catch (err) {
      const failure = toFailure(err);
      // Said once: the batch is retried with backoff until the ISM plugin appears.
      if (err instanceof GaxError && !this.#ismReported) {
        this.#ismReported = true;
        logger.error({ code: err.code }, err.message);
      }
      const why =
        failure.statusCode === undefined
          ? `${failure.name}: ${failure.message}`
          : `opensearch ${failure.statusCode}: ${failure.message}`;
      return retryable(`installing index templates and ISM policy: ${why}`, failure.retryAfterMs);
    }
  }

  async #installTemplates(client: OsClient, signal: AbortSignal): Promise<void> {
    try {
      await client.installTemplates(osTemplates(this.#config), signal);
    } catch (err) {
      const { toFailure } = await import('./client.js');
      const failure = toFailure(err);
      if (failure.statusCode !== 403) throw err;
      this.#settings.logger.warn(
        { reason: failure.message, code: 'GAX_ERR_OS_TEMPLATES' satisfies ErrorCode },
        'Not allowed to install index templates; indexing without them. Run `gax setup opensearch` as an administrator, or set templates.install: false.',
      );
    }
  }
}

/** The plugin's code module (see `opensearchPlugin` in index.ts). */
export const create: PluginModule<OpenSearchConfig>['create'] = (config, settings) =>
  new OpenSearchPlugin(config, settings);
