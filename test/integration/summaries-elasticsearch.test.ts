import { createHash } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../plugins/summaries/tables.js';
import { startCli } from '../helpers/cli.js';
import { sample, waitFor } from '../helpers/daemon.js';
import { type EsNode, startElasticsearch } from '../helpers/elasticsearch.js';
import { type PgServer, startPostgres } from '../helpers/postgres.js';
import { expectExact, generate } from '../helpers/summaries-events.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

// The summaries plugin's Elasticsearch summary indices through the built `gax run`, against a
// real PostgreSQL and a real Elasticsearch (issue 19 part 3): after the run every summary row of
// every table at every granularity is exactly one document with the row's values, although
// Elasticsearch was unreachable for a while and gax was SIGKILLed right after PostgreSQL's commits.

const GRANULARITIES = ['HOURS', 'DAYS', 'MONTHS'];
const PREFIX = 'gax-summaries-';
const SCHEMA = 'mirror';

let server: PgServer;
let node: EsNode;
let proxy: TcpProxy;
let dir: string;
const daemons: ReturnType<typeof startCli>[] = [];

beforeAll(async () => {
  [server, node] = await Promise.all([startPostgres(), startElasticsearch({ major: 8 })]);
  proxy = await startTcpProxy(Number(new URL(node.url).port));
  dir = await mkdtemp(join(tmpdir(), 'gax-summaries-es-'));
  await mkdir(join(dir, 'logs'));
}, 180_000);
afterAll(async () => {
  for (const d of daemons) if (d.child.exitCode === null) d.child.kill('SIGKILL');
  await proxy?.close();
  await Promise.all([server?.destroy(), node?.destroy()]);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const log = () => join(dir, 'logs', 'apim_metrics.log');

async function sql<T extends pg.QueryResultRow>(text: string): Promise<pg.QueryResult<T>> {
  const client = new pg.Client({ connectionString: server.connectionString });
  await client.connect();
  try {
    return await client.query<T>(text);
  } finally {
    await client.end();
  }
}

async function start(): Promise<ReturnType<typeof startCli>> {
  const q = JSON.stringify;
  const file = join(dir, 'gax.yaml');
  await writeFile(
    file,
    [
      'inputs:',
      `  - paths: [${q(log())}]`,
      '    pollIntervalMs: 20',
      `state: { dir: ${q(join(dir, 'state'))} }`,
      'server: { host: 127.0.0.1, port: 0 }',
      'pipeline: { batchMaxEvents: 200, batchMaxWaitMs: 10, shutdownTimeoutMs: 3000, retry: { initialIntervalMs: 50, maxIntervalMs: 500 } }',
      'log: { level: info, format: json }',
      'plugins:',
      '  summaries:',
      '    enabled: true',
      `    postgres: { url: ${q(`postgresql://gax@127.0.0.1:${server.port}/gax`)}, schema: ${SCHEMA}, timeoutMs: 5000 }`,
      `    elasticsearch: { node: ${q(`http://127.0.0.1:${proxy.port}`)}, indexPrefix: ${PREFIX} }`,
      `    granularities: [${GRANULARITIES.join(', ')}]`,
      '    consumer: gateway-1',
      '',
    ].join('\n'),
  );
  const daemon = startCli(['run', '--config', file]);
  daemons.push(daemon);
  return daemon;
}

async function untilCommitted(): Promise<void> {
  const size = (await stat(log())).size;
  const committed = async () => {
    const { rows } = await sql<{ o: string | null }>(
      `SELECT MAX("offset")::bigint AS o FROM "${SCHEMA}"."gax_summaries_positions"`,
    ).catch(() => ({ rows: [{ o: null }] }));
    return Number(rows[0]?.o ?? 0);
  };
  await waitFor(async () => (await committed()) === size, 60_000, `PostgreSQL to hold the log up to ${size}`);
}

async function metrics(daemon: ReturnType<typeof startCli>): Promise<string> {
  const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(daemon.output())?.[1];
  return (await fetch(`${url}/metrics`)).text();
}

async function es<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`${node.url}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json' },
  });
  return (await response.json()) as T;
}

/** Every row of every table at every granularity against the documents in its index: one each, equal. */
async function expectMirrored(): Promise<number> {
  await es(`/${PREFIX}*/_refresh`, { method: 'POST' });
  let total = 0;
  for (const table of TABLES) {
    const index = `${PREFIX}${table.name.toLowerCase()}`;
    for (const granularity of table.granular ? GRANULARITIES : [undefined]) {
      const name = granularity === undefined ? table.name : `${table.name}_${granularity}`;
      const result = await sql(`SELECT * FROM "${SCHEMA}"."${name}"`);
      const longs = new Set(result.fields.filter((f) => f.dataTypeID === 20).map((f) => f.name));
      const want = new Map<string, Record<string, unknown>>();
      for (const row of result.rows) {
        const time = table.granular ? Number(row.AGG_TIMESTAMP) : 0;
        const keys = table.keys.map((k) => row[k.name]);
        const id = createHash('sha256')
          .update(JSON.stringify([table.name, granularity ?? null, time, ...keys]))
          .digest('hex')
          .slice(0, 40);
        const doc: Record<string, unknown> = {
          '@timestamp': new Date(
            Number(table.granular ? row.AGG_TIMESTAMP : row.lastAccessTime),
          ).toISOString(),
          ...(granularity === undefined ? {} : { granularity }),
          table: table.name,
        };
        for (const [column, value] of Object.entries(row))
          doc[column] = value === null ? null : longs.has(column) ? Number(value) : value;
        want.set(id, doc);
      }
      const query =
        granularity === undefined ? { match_all: {} } : { term: { granularity: { value: granularity } } };
      const found = await es<{ hits: { hits: { _id: string; _source: Record<string, unknown> }[] } }>(
        `/${index}/_search`,
        { method: 'POST', body: JSON.stringify({ size: 10_000, query }) },
      );
      const got = new Map(found.hits.hits.map((h) => [h._id, h._source]));
      expect(got.size, `${name}: documents`).toBe(want.size);
      expect(got, name).toEqual(want);
      total += want.size;
    }
  }
  return total;
}

async function untilMirrored(): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await sql<{ n: number }>(
        `SELECT COUNT(*)::int AS n FROM "${SCHEMA}"."gax_summaries_outbox"`,
      ).catch(() => ({ rows: [{ n: -1 }] }));
      return rows[0]?.n === 0;
    },
    60_000,
    'the outbox to be mirrored',
  );
}

describe('summaries plugin → Elasticsearch summary indices', () => {
  it('holds every PostgreSQL row as one equal document, through Elasticsearch unreachable and SIGKILLs after commits', async () => {
    const { lines, events } = generate(1500, 23);
    await writeFile(log(), `${lines.slice(0, 500).join('\n')}\n`);
    let daemon = await start();
    await untilCommitted();
    await untilMirrored();

    // Elasticsearch unreachable: batches still go into PostgreSQL, the mirror lags.
    proxy.refuse(true);
    proxy.cutAll();
    await appendFile(log(), `${lines.slice(500, 900).join('\n')}\n`);
    await untilCommitted();
    await waitFor(
      async () =>
        (sample(await metrics(daemon), 'gax_summaries_mirror_lag_rows{plugin="summaries"}') ?? 0) > 0,
      20_000,
      'the lag gauge to show the rows waiting',
    );
    // SIGKILLed right after PostgreSQL's commit, before Elasticsearch could have the rows.
    await appendFile(log(), `${lines.slice(900, 1200).join('\n')}\n`);
    await untilCommitted();
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    const waiting = await sql<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM "${SCHEMA}"."gax_summaries_outbox"`,
    );
    expect(waiting.rows[0]?.n).toBeGreaterThan(0);

    proxy.refuse(false);
    daemon = await start();
    await appendFile(log(), `${lines.slice(1200, 1350).join('\n')}\n`);
    await untilCommitted();
    daemon.child.kill('SIGKILL'); // at a random moment of the mirror's catching up
    await daemon.exited;
    daemon = await start();
    await appendFile(log(), `${lines.slice(1350).join('\n')}\n`);
    await untilCommitted();
    await untilMirrored();
    const text = await metrics(daemon);
    expect(sample(text, 'gax_summaries_mirror_lag_rows{plugin="summaries"}')).toBe(0);
    expect(
      sample(text, 'gax_summaries_mirrored_rows_total{plugin="summaries",outcome="rejected"}'),
    ).toBeUndefined();
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);

    const client = new pg.Client({ connectionString: server.connectionString });
    await client.connect();
    await expectExact(client, SCHEMA, events, GRANULARITIES).finally(() => client.end());
    expect(await expectMirrored()).toBeGreaterThan(1000);

    const template = await es<{ index_templates: { index_template: { template: { mappings: unknown } } }[] }>(
      '/_index_template/gax-summaries',
    );
    expect(template.index_templates[0]?.index_template.template.mappings).toMatchObject({
      dynamic: 'strict',
      properties: {
        '@timestamp': { type: 'date' },
        granularity: { type: 'keyword' },
        apiName: { type: 'keyword' },
        AGG_TIMESTAMP: { type: 'long' },
        AGG_SUM_responseTime: { type: 'long' },
        lastAccessTime: { type: 'long' },
      },
    });
  }, 150_000);
});
