import { appendFile, copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { sample, waitFor } from '../helpers/daemon.js';
import { type PgServer, startPostgres } from '../helpers/postgres.js';
import { expectExact, generate, rng } from '../helpers/summaries-events.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

// The summaries plugin through the built `gax run` against a real PostgreSQL (issue 19): every
// table at every granularity equals the raw counts, whatever the input order, late events,
// duplicates, SIGKILLs mid-transaction, lost connections and server crashes.

let server: PgServer;
let proxy: TcpProxy;
let dir: string;
let schemaNo = 0;
let schema: string;
const daemons: ReturnType<typeof startCli>[] = [];

beforeAll(async () => {
  server = await startPostgres();
  proxy = await startTcpProxy(server.port);
}, 120_000);
afterAll(async () => {
  await proxy?.close();
  await server?.destroy();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-summaries-'));
  await mkdir(join(dir, 'logs'));
  schema = `t${++schemaNo}`;
});
afterEach(async () => {
  for (const d of daemons.splice(0)) if (d.child.exitCode === null) d.child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

const log = () => join(dir, 'logs', 'apim_metrics.log');

/** Runs `work` on a new connection (the server crashes in these tests: no connection is kept). */
async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server.connectionString });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
const GRANULARITIES = ['SECONDS', 'MINUTES', 'HOURS', 'DAYS', 'MONTHS', 'YEARS'];

function config(port: number, dedupeWindow: string): string {
  const q = JSON.stringify;
  return [
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
    `    postgres: { url: ${q(`postgresql://gax@127.0.0.1:${port}/gax`)}, schema: ${schema}, timeoutMs: 5000 }`,
    `    granularities: [${GRANULARITIES.join(', ')}]`,
    '    consumer: gateway-1',
    `    dedupeWindow: ${dedupeWindow}`,
    '',
  ].join('\n');
}

async function start(port = server.port, dedupeWindow = '1h'): Promise<ReturnType<typeof startCli>> {
  const file = join(dir, 'gax.yaml');
  await writeFile(file, config(port, dedupeWindow));
  const daemon = startCli(['run', '--config', file]);
  daemons.push(daemon);
  return daemon;
}

/** The input position the plugin committed in PostgreSQL (0 before any). */
async function committed(): Promise<number> {
  const sql = `SELECT MAX("offset")::bigint AS o FROM "${schema}"."gax_summaries_positions" WHERE "consumer" = 'gateway-1'`;
  const { rows } = await withClient((c) => c.query(sql)).catch(() => ({ rows: [{ o: 0 }] }));
  return Number(rows[0]?.o ?? 0);
}

async function untilCommitted(): Promise<void> {
  const size = (await stat(log())).size;
  await waitFor(
    async () => (await committed()) === size,
    60_000,
    `PostgreSQL to hold the batches up to ${size}`,
  );
}

async function stop(daemon: ReturnType<typeof startCli>): Promise<void> {
  daemon.child.kill('SIGTERM');
  expect(await daemon.exited).toBe(0);
}

describe('summaries plugin → PostgreSQL', () => {
  it('equals the raw counts in every table at every granularity: out of order, late, duplicated input', async () => {
    const { lines, events } = generate(3000, 19);
    await writeFile(log(), `${lines.slice(0, 2000).join('\n')}\n`);
    const daemon = await start();
    await appendFile(log(), `${lines.slice(2000).join('\n')}\n`);
    await untilCommitted();
    await withClient((c) => expectExact(c, schema, events, GRANULARITIES));
    const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(daemon.output())?.[1];
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(sample(text, 'gax_summaries_duplicates_total{plugin="summaries"}')).toBe(
      lines.length - events.length,
    );
    await stop(daemon);
  });

  it('starts while PostgreSQL cannot be reached, then creates the tables and catches up', async () => {
    const { lines, events } = generate(500, 5);
    await writeFile(log(), `${lines.join('\n')}\n`);
    proxy.refuse(true);
    try {
      const daemon = await start(proxy.port);
      await waitFor(
        () => daemon.output().includes('GAX_ERR_SUMMARIES_UNREACHABLE'),
        20_000,
        'the start-up error',
      );
      await new Promise((r) => setTimeout(r, 1000));
      expect(daemon.child.exitCode).toBeNull();
      expect(await committed()).toBe(0);
      proxy.refuse(false);
      await untilCommitted();
      await stop(daemon);
    } finally {
      proxy.refuse(false);
    }
    await withClient((c) => expectExact(c, schema, events, GRANULARITIES));
  });

  // Without the duplicate check (dedupeWindow: 0s), so that only the positions committed with
  // the sums can keep a re-read batch from being counted twice.
  it('stays exact through SIGKILLs mid-transaction, lost connections and PostgreSQL crashes', async () => {
    const { lines, events } = generate(4000, 2019, 0);
    const start0 = () => start(proxy.port, '0s');
    const random = rng(7);
    await writeFile(log(), '');
    let daemon = await start0();
    let written = 0;
    const append = async (n: number) => {
      await appendFile(log(), `${lines.slice(written, written + n).join('\n')}\n`);
      written += n;
    };
    const killAndRestart = async () => {
      daemon.child.kill('SIGKILL');
      await daemon.exited;
      daemon = await start0();
    };
    // A transaction held open (its last upsert waits for a lock), then the daemon SIGKILLed:
    // PostgreSQL rolls the half-done batch back.
    const midTransaction = async () => {
      const blocker = new pg.Client({ connectionString: server.connectionString });
      blocker.on('error', () => undefined);
      await blocker.connect();
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE "${schema}"."ApiLastAccessSummary" IN ACCESS EXCLUSIVE MODE`);
      await append(150);
      await waitFor(
        async () => {
          const { rows } = await withClient((c) =>
            c.query(
              `SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE application_name = 'gax' AND wait_event_type = 'Lock'`,
            ),
          );
          return rows[0].n > 0;
        },
        20_000,
        'a gax transaction waiting for the lock',
      ).catch(async (err: Error) => {
        const activity = await withClient((c) =>
          c.query(
            'SELECT application_name, state, wait_event_type, left(query, 60) AS q FROM pg_stat_activity',
          ),
        );
        throw new Error(`${err.message}: ${JSON.stringify(activity.rows)}\n${daemon.output().slice(-2000)}`);
      });
      await killAndRestart();
      await blocker.query('ROLLBACK');
      await blocker.end();
    };
    await append(400);
    await waitFor(async () => (await committed()) > 0, 60_000, 'the first commit');
    for (let round = 0; round < 3; round++) {
      await midTransaction();
      await append(200 + Math.floor(random() * 200));
      await new Promise((r) => setTimeout(r, 100 + random() * 300));
      proxy.cutAll(); // connections lost mid-flight
      await append(200);
      await new Promise((r) => setTimeout(r, 100 + random() * 300));
      await killAndRestart(); // SIGKILL at a random moment
      await append(200);
      if (round < 2) {
        await server.kill(); // PostgreSQL crashes and recovers while gax retries
        await append(150);
        await new Promise((r) => setTimeout(r, 300));
        await server.restart();
      }
    }
    await append(lines.length - written - 400);
    await untilCommitted();
    await stop(daemon);
    await withClient((c) => expectExact(c, schema, events.slice(0, -400), GRANULARITIES));

    // The daemon dies between PostgreSQL's commit and its own checkpoint: the checkpoint found at
    // restart is older than the sums. Reading resumes from PostgreSQL's positions.
    await copyFile(join(dir, 'state', 'checkpoint.json'), join(dir, 'checkpoint-before.json'));
    daemon = await start0();
    await append(300);
    await untilCommitted();
    await stop(daemon);
    await copyFile(join(dir, 'checkpoint-before.json'), join(dir, 'state', 'checkpoint.json'));
    await append(100); // a re-read from the old checkpoint would batch these with 300 counted lines
    daemon = await start0();
    await untilCommitted();
    await new Promise((r) => setTimeout(r, 500));
    await stop(daemon);
    await withClient((c) => expectExact(c, schema, events, GRANULARITIES));
  }, 240_000);
});
