import pg from 'pg';
import type { Logger } from 'pino';
import type { ErrorCode } from '../../src/errors.js';
import type { Granularity } from './granularity.js';
import type { MirrorClient, MirrorDoc } from './mirror-client.js';
import { requestFailure } from './mirror-client.js';
import {
  documentId,
  indexName,
  indexTemplate,
  rowIdentity,
  TEMPLATE_NAME,
  toDocument,
} from './mirror-doc.js';
import {
  backfill,
  countPending,
  deltaName,
  LOCK_OUTBOX,
  readMirrored,
  readPage,
  readRows,
  registerTarget,
  saveMirrored,
} from './outbox.js';
import type { Statement } from './sql.js';
import type { TableSpec } from './tables.js';

/** Outbox rows read per pass (a bounded page), and documents per bulk request. */
const PAGE_ROWS = 2000;
const BULK_DOCS = 500;
/** A pass without a commit to wake it: rows other sidecars queued, and the lag gauge. */
const POLL_MS = 2000;
const MAX_BACKOFF_MS = 30_000;

export interface MirrorOptions {
  readonly pool: pg.PoolConfig;
  readonly schema: string;
  readonly tables: readonly TableSpec[];
  readonly granularities: readonly Granularity[];
  readonly indexPrefix: string;
  readonly client: MirrorClient;
  readonly logger: Logger;
  /** Counts mirrored documents by outcome, and sets the lag (outbox rows not mirrored yet). */
  readonly report: {
    mirrored(outcome: string, n: number): void;
    lag(rows: number): void;
  };
}

interface Pending {
  readonly time: number;
  readonly keys: string[];
  revision: number;
}

/**
 * Follows the outbox into Elasticsearch: reads the rows queued after the target's mirrored
 * revision (in order, a bounded page), reads those summary rows' CURRENT values, writes them
 * as documents with `version: <revision>` (`external_gte`: an older write never replaces a newer
 * one; a resend is idempotent), then stores the revision and deletes what every target has.
 * Runs beside the batches, never in their way: Elasticsearch down only makes it lag (retried
 * with back-off). Its own PostgreSQL connection.
 */
export class SummariesMirror {
  readonly #options: MirrorOptions;
  readonly #pool: pg.Pool;
  readonly #target: string;
  readonly #specs = new Map<string, { table: TableSpec; granularity: Granularity | undefined }>();
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #woken = false;
  #wakeup: (() => void) | undefined;

  constructor(options: MirrorOptions) {
    this.#options = options;
    this.#pool = new pg.Pool({ ...options.pool, max: 1 });
    this.#pool.on('error', () => undefined);
    this.#target = `elasticsearch:${options.indexPrefix}`;
    for (const table of options.tables)
      for (const granularity of table.granular ? options.granularities : [undefined])
        this.#specs.set(deltaName(table, granularity), { table, granularity });
  }

  /** Starts the loop; it ends when `signal` aborts or at {@link stop}. */
  start(signal: AbortSignal): void {
    signal.addEventListener('abort', () => this.#abort.abort(), { once: true });
    this.#loop = this.#run();
  }

  /** A batch committed: mirror it now rather than at the next poll. */
  wake(): void {
    this.#woken = true;
    this.#wakeup?.();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await this.#pool.end().catch(() => undefined);
    await this.#options.client.close();
  }

  async #run(): Promise<void> {
    const { logger, client, indexPrefix, tables } = this.#options;
    const signal = this.#abort.signal;
    let ready = false;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (!ready) {
          await client.putTemplate(TEMPLATE_NAME, indexTemplate(indexPrefix, tables), signal);
          await this.#register();
          ready = true;
        }
        const more = await this.#pass(signal);
        if (failures > 0) logger.info({ failures }, 'Elasticsearch summary indices: mirroring again.');
        failures = 0;
        if (!more) await this.#sleep(POLL_MS);
      } catch (err) {
        if (signal.aborted) return;
        if (failures % 10 === 0)
          logger.warn(
            { code: 'GAX_ERR_SUMMARIES_MIRROR' satisfies ErrorCode, reason: requestFailure(err), failures },
            'Elasticsearch summary indices lag behind PostgreSQL; retrying with back-off.',
          );
        failures++;
        await this.#reportLag().catch(() => undefined); // PostgreSQL may be the one down
        await this.#sleep(Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(failures, 7)), false);
      }
    }
  }

  /** First run for this target: queues every existing row (Elasticsearch configured over filled tables). */
  async #register(): Promise<void> {
    await this.#transaction(async (run) => {
      await run(LOCK_OUTBOX);
      const { rows } = await run(registerTarget(this.#options.schema, this.#target));
      if (rows.length === 0) return;
      for (const { table, granularity } of this.#specs.values())
        await run(backfill(this.#options.schema, table, granularity));
    });
  }

  /** One page: read, write, record. Whether a full page was read (more may wait). */
  async #pass(signal: AbortSignal): Promise<boolean> {
    const { schema, report } = this.#options;
    const query = (s: Statement) => this.#pool.query(s.text, s.values);
    const mirrored = Number((await query(readMirrored(schema, this.#target))).rows[0]?.revision ?? 0);
    const page = (await query(readPage(schema, mirrored, PAGE_ROWS))).rows as {
      revision: string;
      tableName: string;
      time: string;
      keys: string[];
    }[];
    const last = Number(page.at(-1)?.revision ?? mirrored);
    const byTable = new Map<string, Map<string, Pending>>();
    for (const row of page) {
      const pending = byTable.get(row.tableName) ?? new Map<string, Pending>();
      byTable.set(row.tableName, pending);
      const id = JSON.stringify([Number(row.time), ...row.keys]);
      const seen = pending.get(id);
      if (seen === undefined)
        pending.set(id, { time: Number(row.time), keys: row.keys, revision: Number(row.revision) });
      else seen.revision = Math.max(seen.revision, Number(row.revision));
    }
    const docs: MirrorDoc[] = [];
    for (const [name, pending] of byTable) {
      const spec = this.#specs.get(name);
      if (spec === undefined) continue; // a table no longer kept
      const { rows } = await query(readRows(schema, spec.table, spec.granularity, [...pending.values()]));
      for (const row of rows) {
        const { time, keys } = rowIdentity(spec.table, row);
        const revision = pending.get(JSON.stringify([time, ...keys]))?.revision;
        if (revision === undefined) continue;
        docs.push({
          index: indexName(this.#options.indexPrefix, spec.table),
          id: documentId(spec.table, spec.granularity, time, keys),
          version: revision,
          source: toDocument(spec.table, spec.granularity, row),
        });
      }
    }
    for (let i = 0; i < docs.length; i += BULK_DOCS) await this.#write(docs.slice(i, i + BULK_DOCS), signal);
    if (page.length > 0)
      await this.#transaction(async (run) => {
        for (const s of saveMirrored(schema, this.#target, last)) await run(s);
      });
    report.lag(Number((await query(countPending(schema, last))).rows[0]?.n ?? 0));
    return page.length === PAGE_ROWS;
  }

  /** Sets the lag gauge: outbox rows after the mirrored revision. */
  async #reportLag(): Promise<void> {
    const { schema, report } = this.#options;
    const query = (s: Statement) => this.#pool.query(s.text, s.values);
    const mirrored = Number((await query(readMirrored(schema, this.#target))).rows[0]?.revision ?? 0);
    report.lag(Number((await query(countPending(schema, mirrored))).rows[0]?.n ?? 0));
  }

  /** One bulk request; throws (for the back-off) when a document should be sent again. */
  async #write(docs: readonly MirrorDoc[], signal: AbortSignal): Promise<void> {
    const { client, report, logger } = this.#options;
    const results = await client.bulk(docs, signal);
    const counts = new Map<string, number>();
    let retry: string | undefined;
    for (const [i, result] of results.entries()) {
      counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1);
      if (result.outcome === 'retry') retry ??= result.reason;
      if (result.outcome === 'rejected')
        logger.error(
          { code: 'GAX_ERR_SUMMARIES_MIRROR' satisfies ErrorCode, reason: result.reason, id: docs[i]?.id },
          'Elasticsearch refused a summary document; it is skipped until its row changes again.',
        );
    }
    for (const [outcome, n] of counts) report.mirrored(outcome, n);
    if (retry !== undefined) throw new Error(`Elasticsearch asked to retry: ${retry}`);
  }

  async #transaction(work: (run: (s: Statement) => Promise<pg.QueryResult>) => Promise<void>): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await work((s) => client.query(s.text, s.values));
      await client.query('COMMIT');
      client.release();
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }

  /** Waits `ms`, or less when aborted or (with `wakeable`) woken by a commit. */
  #sleep(ms: number, wakeable = true): Promise<void> {
    if (wakeable && this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    const signal = this.#abort.signal;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#wakeup = undefined;
        this.#woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      if (wakeable) this.#wakeup = done;
    });
  }
}
