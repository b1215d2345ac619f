import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SummariesStore } from '../../../plugins/summaries/client.js';
import { TABLES } from '../../../plugins/summaries/tables.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { runCli } from '../../helpers/cli.js';
import { type PgServer, startPostgres } from '../../helpers/postgres.js';

let server: PgServer;
let client: pg.Client;
beforeAll(async () => {
  server = await startPostgres();
  client = new pg.Client({ connectionString: server.connectionString });
  await client.connect();
}, 120_000);
afterAll(async () => {
  await client?.end();
  await server?.destroy();
});

/** WSO2's documented MySQL DDL: table → [column, type, nullable][] and the primary key. */
async function wso2Tables(): Promise<Map<string, { columns: string[][]; key: string[] }>> {
  const text = await readFile(
    new URL('../../fixtures/wso2-2x-aggregate-tables.sql', import.meta.url),
    'utf8',
  );
  const tables = new Map<string, { columns: string[][]; key: string[] }>();
  for (const [, name, body] of text.matchAll(/CREATE TABLE `([^`]+)` \(([\s\S]*?)\n\);/g)) {
    const columns = [
      ...(body ?? '').matchAll(/^\s+`(\w+)` (bigint|varchar)\S* (NOT NULL|DEFAULT NULL)/gm),
    ].map(([, column, type, nullable]) => [
      column as string,
      type === 'bigint' ? 'bigint' : 'character varying(254)',
      nullable === 'NOT NULL' ? 'NO' : 'YES',
    ]);
    const key =
      /PRIMARY KEY \(([^)]*)\)/
        .exec(body ?? '')?.[1]
        ?.replaceAll('`', '')
        .split(',') ?? [];
    tables.set((name ?? '').replace('_<granularity>', '_DAYS'), { columns, key });
  }
  return tables;
}

describe('summaries tables in PostgreSQL', () => {
  it("gax setup postgres creates WSO2's tables with their documented columns, types, nullability and keys; idempotent", async () => {
    const url = server.connectionString;
    const first = await runCli(['setup', 'postgres', '--url', url]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`table   "public"."ApiExeTime_DAYS"`);
    expect(first.stdout.match(/ created$/gm)?.length).toBe(10 * 4 + 1 + 2 + 1); // the public schema exists already
    const second = await runCli(['setup', 'postgres', '--url', url]);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toMatch(/ created$/m);

    const documented = await wso2Tables();
    expect([...documented.keys()].sort()).toEqual(
      TABLES.map((t) => (t.granular ? `${t.name}_DAYS` : t.name)).sort(),
    );
    for (const [table, want] of documented) {
      const { rows } = await client.query(
        `SELECT column_name, CASE WHEN data_type = 'character varying' THEN 'character varying(' || character_maximum_length || ')' ELSE data_type END AS type, is_nullable
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
        [table],
      );
      expect(
        rows.map((r) => [r.column_name, r.type, r.is_nullable]),
        table,
      ).toEqual(want.columns);
      const key = await client.query(
        `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
         WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
        [`"public"."${table}"`],
      );
      expect(
        key.rows.map((r) => r.attname),
        `${table} primary key`,
      ).toEqual(want.key);
    }
  });

  it('applies a batch once: its resend (a COMMIT whose answer was lost) finds its positions and adds nothing', async () => {
    const store = new SummariesStore({
      pool: { connectionString: server.connectionString, max: 1 },
      schema: 'once',
      tables: TABLES,
      granularities: ['HOURS'],
      consumer: 'node-1/summaries',
      dedupeMs: 0,
    });
    try {
      await store.createTables();
      const events = ['a', 'b'].map(
        (id): CanonicalEvent => ({
          eventType: 'response',
          correlationId: id,
          requestTimestamp: '2026-11-03T10:00:00.000Z',
          apiContext: '/pizza/1.0.0',
        }),
      );
      const positions = new Map([
        ['1:2', { offset: 300, path: '/logs/a.log', fingerprint: { length: 1024, hash: 'h' } }],
      ]);
      const total = async () =>
        Number(
          (await client.query('SELECT SUM("AGG_COUNT") AS n FROM "once"."ApiVersionPerAppAgg_HOURS"')).rows[0]
            .n,
        );
      expect((await store.apply({ events, positions, prune: false })).outcome).toBe('committed');
      expect((await store.apply({ events, positions, prune: false })).outcome).toBe('already_applied');
      expect(await total()).toBe(2);
      expect(await store.positions()).toEqual(positions);
      const later = new Map([['1:2', { ...positions.get('1:2'), offset: 600 }]]);
      expect((await store.apply({ events, positions: later as typeof positions, prune: true })).outcome).toBe(
        'committed',
      );
      expect(await total()).toBe(4);
    } finally {
      await store.end();
    }
  });
});
