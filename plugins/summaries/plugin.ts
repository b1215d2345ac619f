import { hostname } from 'node:os';
import { parseDurationMs } from '../../src/config/duration.js';
import type { ErrorCode } from '../../src/errors.js';
import { readClientTls, warnIfInsecure } from '../../src/http/client-tls.js';
import type { InputPositions, Plugin, PluginSettings, SendContext } from '../../src/plugin/contract.js';
import type { PluginModule } from '../../src/plugin/define.js';
import { allOf, DELIVERED, type EventResult } from '../../src/plugin/result.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { classifyPgError } from './classify.js';
import { poolConfig, SummariesStore } from './client.js';
import type { SummariesConfig } from './config.js';
import { SummariesMetrics } from './metrics.js';
import type { SummariesMirror } from './mirror.js';
import { TABLES } from './tables.js';

/** How often old event keys and positions are pruned (inside a batch's transaction). */
const PRUNE_EVERY_MS = 60_000;

/**
 * Adds every batch to WSO2's aggregate tables in one PostgreSQL transaction with the batch's input
 * positions; the daemon resumes from those after a crash (`storedPositions`), and a resend whose
 * positions are stored changes nothing: each event is counted exactly once. README.md "Delivery".
 */
class SummariesPlugin implements Plugin {
  readonly maxInFlight = 1;
  readonly #config: SummariesConfig;
  readonly #settings: PluginSettings;
  #store: SummariesStore | undefined;
  #metrics: SummariesMetrics | undefined;
  #lastPrune = 0;
  /** Tables not created yet (the server was down at start), or one went missing: create them first. */
  #recreate = false;
  #signal: AbortSignal | undefined;
  /** The Elasticsearch summary indices' loop (`elasticsearch` configured). */
  #mirror: SummariesMirror | undefined;

  constructor(config: SummariesConfig, settings: PluginSettings) {
    this.#config = config;
    this.#settings = settings;
  }

  /**
   * Connects and creates the tables. A refusal that needs the operator (authentication, no such
   * database, missing privilege) fails start-up; a server that is down or starting is waited
   * for: the daemon goes on, and this instance's reading starts once `storedPositions` answers.
   */
  async start(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    const { postgres } = this.#config;
    const { logger, id } = this.#settings;
    warnIfInsecure(logger, postgres.tls);
    const tls =
      postgres.tls === undefined ? undefined : await readClientTls(postgres.tls, `plugins.${id}.postgres`);
    const tables = TABLES.filter((t) => this.#config.tables.includes(t.name));
    const store = new SummariesStore({
      pool: poolConfig(postgres, tls),
      schema: postgres.schema,
      tables,
      granularities: this.#config.granularities,
      consumer: this.#config.consumer ?? `${hostname()}/${id}`,
      dedupeMs: parseDurationMs(this.#config.dedupeWindow),
      outbox: this.#config.elasticsearch !== undefined,
    });
    this.#store = store;
    this.#metrics ??= new SummariesMetrics(this.#settings.registry, id);
    try {
      if (this.#config.createTables) await store.createTables();
      else await store.ping();
    } catch (err) {
      const failure = classifyPgError(err);
      const reason = failure.result.status === 'delivered' ? String(err) : failure.result.reason;
      if (failure.fatal) {
        await store.end();
        this.#store = undefined;
        throw new Error(`cannot use PostgreSQL: ${reason}`);
      }
      this.#recreate = this.#config.createTables;
      logger.error(
        { code: 'GAX_ERR_SUMMARIES_UNREACHABLE' satisfies ErrorCode, reason },
        'PostgreSQL cannot be reached; this plugin reads nothing until it can (tried again with back-off).',
      );
    }
    this.#mirror = await this.#startMirror(poolConfig(postgres, tls), tables, signal);
    logger.info(
      {
        schema: postgres.schema,
        tables: this.#config.tables.length,
        granularities: this.#config.granularities,
      },
      'Summaries plugin started.',
    );
  }

  /** The positions committed with the sums; waits (with back-off) while the server is down. */
  async storedPositions(): Promise<InputPositions> {
    for (let attempt = 0; ; attempt++) {
      const store = this.#store;
      if (store === undefined || this.#signal?.aborted === true) throw new Error('summaries plugin stopped');
      try {
        if (this.#recreate) await store.createTables();
        this.#recreate = false;
        return await store.positions();
      } catch (err) {
        const failure = classifyPgError(err);
        if (failure.fatal) throw err;
        if (attempt % 10 === 0)
          this.#settings.logger.warn(
            { reason: failure.result.status === 'delivered' ? String(err) : failure.result.reason, attempt },
            'PostgreSQL not reachable yet; waiting to read where this plugin stands.',
          );
        await pause(Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)), this.#signal);
      }
    }
  }

  async send(
    batch: readonly CanonicalEvent[],
    _signal: AbortSignal,
    context?: SendContext,
  ): Promise<readonly EventResult[]> {
    const store = this.#store;
    const metrics = this.#metrics;
    if (store === undefined || metrics === undefined) throw new Error('summaries plugin used before start');
    const done = metrics.startTransaction();
    try {
      if (this.#recreate && this.#config.createTables) await store.createTables();
      this.#recreate = false;
      const now = Date.now();
      const prune = now - this.#lastPrune >= PRUNE_EVERY_MS;
      const applied = await store.apply({ events: batch, positions: context?.positions, prune });
      if (prune) this.#lastPrune = now;
      if (applied.outcome === 'committed') this.#mirror?.wake();
      done(applied.outcome);
      metrics.rows(applied.rows);
      metrics.duplicates(applied.duplicates);
      return allOf(batch.length, DELIVERED);
    } catch (err) {
      const failure = classifyPgError(err);
      done(failure.errorType);
      this.#recreate = failure.missingTable;
      if (failure.result.status === 'rejected')
        this.#settings.logger.error(
          { code: 'GAX_ERR_SUMMARIES_REFUSED' satisfies ErrorCode, reason: failure.result.reason },
          'PostgreSQL refused a batch; its events are dead-lettered.',
        );
      return allOf(batch.length, failure.result);
    }
  }

  /**
   * The Elasticsearch summary indices (README.md): the mirror loop, started under the plugin's
   * signal. Its first pass installs the index template; Elasticsearch down only delays it.
   */
  async #startMirror(
    pool: ReturnType<typeof poolConfig>,
    tables: typeof TABLES,
    signal: AbortSignal,
  ): Promise<SummariesMirror | undefined> {
    const config = this.#config.elasticsearch;
    if (config === undefined) return undefined;
    const { id, logger } = this.#settings;
    warnIfInsecure(logger, config.tls);
    const [{ MirrorClient }, { SummariesMirror }] = await Promise.all([
      import('./mirror-client.js'),
      import('./mirror.js'),
    ]);
    const metrics = this.#metrics;
    const mirror = new SummariesMirror({
      pool,
      schema: this.#config.postgres.schema,
      tables,
      granularities: this.#config.granularities,
      indexPrefix: config.indexPrefix,
      client: await MirrorClient.open(config, `plugins.${id}.elasticsearch`),
      logger,
      report: {
        mirrored: (outcome, n) => metrics?.mirrored(outcome, n),
        lag: (rows) => metrics?.mirrorLag(rows),
      },
    });
    mirror.start(signal);
    return mirror;
  }

  async stop(): Promise<void> {
    const mirror = this.#mirror;
    this.#mirror = undefined;
    await mirror?.stop();
    const store = this.#store;
    this.#store = undefined;
    await store?.end();
    const metrics = this.#metrics;
    this.#metrics = undefined;
    await metrics?.remove();
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** The plugin's code module (see `summariesPlugin` in index.ts). */
export const create: PluginModule<SummariesConfig>['create'] = (config, settings) =>
  new SummariesPlugin(config, settings);
