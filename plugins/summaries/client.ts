import pg from 'pg';
import type { ClientTls } from '../../src/http/client-tls.js';
import type { InputPosition, InputPositions } from '../../src/plugin/contract.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { aggregate } from './aggregate.js';
import type { SummariesConfig } from './config.js';
import { schemaStatements } from './ddl.js';
import type { Granularity } from './granularity.js';
import { deltaName, LOCK_OUTBOX, outboxStatements, recordChanges } from './outbox.js';
import { type Statement, upsert } from './sql.js';
import type { TableSpec } from './tables.js';
import {
  alreadyApplied,
  eventKey,
  firstSeen,
  lockPositions,
  markSeen,
  prune,
  readPositions,
  type StoredRow,
  savePositions,
} from './transaction.js';

/** What one batch did. */
export interface Applied {
  readonly outcome: 'committed' | 'already_applied';
  readonly counted: number;
  readonly duplicates: number;
  /** Rows inserted or updated per table (`ApiExeTime_HOURS`). */
  readonly rows: ReadonlyMap<string, number>;
}

export interface BatchPlan {
  readonly events: readonly CanonicalEvent[];
  /** The batch's end positions (none from `gax replay`: nothing to store). */
  readonly positions: InputPositions | undefined;
  readonly prune: boolean;
}

/** The pool options of `config.postgres` (one connection: one batch at a time). */
export function poolConfig(config: SummariesConfig['postgres'], tls: ClientTls | undefined): pg.PoolConfig {
  return {
    connectionString: config.url,
    ...(config.password === undefined ? {} : { password: config.password }),
    ...(tls === undefined ? {} : { ssl: tls }),
    max: 1,
    connectionTimeoutMillis: config.timeoutMs,
    query_timeout: config.timeoutMs,
    statement_timeout: config.timeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'gax',
  };
}

/**
 * The plugin's only I/O: the tables, and each batch as one transaction that adds the batch's
 * sums and stores its input positions, or finds them stored (a resend) and changes nothing.
 */
export class SummariesStore {
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #tables: readonly TableSpec[];
  readonly #granularities: readonly Granularity[];
  readonly #consumer: string;
  readonly #dedupeMs: number;
  readonly #outbox: boolean;

  constructor(options: {
    readonly pool: pg.PoolConfig;
    readonly schema: string;
    readonly tables: readonly TableSpec[];
    readonly granularities: readonly Granularity[];
    readonly consumer: string;
    readonly dedupeMs: number;
    /** Queue every changed row in `gax_summaries_outbox` (the Elasticsearch summary indices follow it). */
    readonly outbox?: boolean;
  }) {
    this.#pool = new pg.Pool(options.pool);
    this.#pool.on('error', () => undefined); // an idle connection lost: the next query reconnects
    this.#schema = options.schema;
    this.#tables = options.tables;
    this.#granularities = options.granularities;
    this.#consumer = options.consumer;
    this.#dedupeMs = options.dedupeMs;
    this.#outbox = options.outbox ?? false;
  }

  /** Creates what is missing (idempotent). */
  async createTables(): Promise<void> {
    await this.#transaction(async (client) => {
      for (const text of schemaStatements(this.#schema, this.#granularities, this.#tables))
        await client.query(text);
      if (this.#outbox) for (const text of outboxStatements(this.#schema)) await client.query(text);
    });
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  /** The positions this consumer committed. */
  async positions(): Promise<Map<string, InputPosition>> {
    const { text, values } = readPositions(this.#schema, this.#consumer);
    const { rows } = await this.#pool.query<StoredRow>(text, values);
    return new Map(rows.map((r) => [r.source, toPosition(r)]));
  }

  /** One transaction: positions checked and locked, duplicates dropped, sums added, positions saved. */
  apply(plan: BatchPlan): Promise<Applied> {
    return this.#transaction(async (client) => {
      const run = (s: Statement) => client.query(s.text, s.values);
      const positions = plan.positions;
      if (positions !== undefined && positions.size > 0) {
        const { rows } = await client.query<StoredRow>(
          ...args(lockPositions(this.#schema, this.#consumer, [...positions.keys()])),
        );
        if (alreadyApplied(rows, positions))
          return { outcome: 'already_applied', counted: 0, duplicates: 0, rows: new Map() };
      }
      let fresh: Set<string> | undefined;
      if (this.#dedupeMs > 0 && plan.events.length > 0) {
        const keys = [...new Set(plan.events.map(eventKey))];
        const { rows } = await client.query<{ eventKey: string }>(...args(markSeen(this.#schema, keys)));
        fresh = new Set(rows.map((r) => r.eventKey));
      }
      const { events, duplicates } = firstSeen(plan.events, fresh);
      const counts = new Map<string, number>();
      const deltas = aggregate(events, this.#tables, this.#granularities);
      for (const delta of deltas) {
        await run(upsert(this.#schema, delta));
        counts.set(deltaName(delta.table, delta.granularity), delta.rows.length);
      }
      const changes = this.#outbox ? recordChanges(this.#schema, deltas) : undefined;
      if (changes !== undefined) {
        await run(LOCK_OUTBOX); // held to COMMIT: revisions commit in their order (outbox.ts)
        await run(changes);
      }
      if (positions !== undefined && positions.size > 0)
        await run(savePositions(this.#schema, this.#consumer, positions));
      if (plan.prune && this.#dedupeMs > 0) for (const s of prune(this.#schema, this.#dedupeMs)) await run(s);
      return { outcome: 'committed', counted: events.length, duplicates, rows: counts };
    });
  }

  async end(): Promise<void> {
    await this.#pool.end().catch(() => undefined);
  }

  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (err) {
      // The connection's state is unknown (a lost COMMIT answer, a cut socket): never reused.
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }
}

function args(s: Statement): [string, unknown[]] {
  return [s.text, s.values];
}

function toPosition(row: StoredRow): InputPosition {
  return {
    offset: Number(row.offset),
    ...(row.path === null ? {} : { path: row.path }),
    ...(row.fingerprintLength === null || row.fingerprintHash === null
      ? {}
      : { fingerprint: { length: row.fingerprintLength, hash: row.fingerprintHash } }),
  };
}
