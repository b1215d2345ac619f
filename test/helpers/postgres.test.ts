import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { Client, type ClientConfig } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessRunning } from './elasticsearch.js';
import { type PgServer, startPostgres } from './postgres.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

async function connected(config: ClientConfig): Promise<Client> {
  const client = new Client({ ...config, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Role gax's settings through the proxy (a connectionString would override `port`). */
function viaProxy(pg: PgServer, proxy: TcpProxy): ClientConfig {
  return { host: pg.host, port: proxy.port, user: pg.user, database: pg.database };
}

async function ids(pg: PgServer, table: string): Promise<number[]> {
  const client = await connected({ connectionString: pg.connectionString });
  try {
    const { rows } = await client.query<{ id: number }>(`SELECT id FROM ${table} ORDER BY id`);
    return rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}

describe('startPostgres (trust)', () => {
  let pg: PgServer;
  let proxy: TcpProxy;

  beforeAll(async () => {
    pg = await startPostgres();
    proxy = await startTcpProxy(pg.port);
  });

  afterAll(async () => {
    await proxy?.close();
    await pg?.destroy();
  });

  it('serves database gax to role gax on 127.0.0.1 with fsync on', async () => {
    expect(pg.host).toBe('127.0.0.1');
    expect(isProcessRunning(pg.pid as number)).toBe(true);
    const client = await connected({ connectionString: pg.connectionString });
    try {
      const { rows } = await client.query(
        "SELECT current_user AS u, current_database() AS d, current_setting('fsync') AS f, inet_server_addr()::text AS a",
      );
      expect(rows[0]).toEqual({ u: 'gax', d: 'gax', f: 'on', a: '127.0.0.1/32' });
      await client.query('CREATE TABLE t (id int PRIMARY KEY)');
    } finally {
      await client.end();
    }
  });

  it('keeps committed rows and drops uncommitted ones across a SIGKILL and restart on the same port', async () => {
    const committer = await connected({ connectionString: pg.connectionString });
    await committer.query('BEGIN');
    await committer.query('INSERT INTO t VALUES (1)');
    await committer.query('COMMIT');
    const open = await connected({ connectionString: pg.connectionString });
    await open.query('BEGIN');
    await open.query('INSERT INTO t VALUES (2)');
    const crashed = pg.pid as number;
    const port = pg.port;

    await pg.kill();
    expect(isProcessRunning(crashed)).toBe(false);
    expect(pg.pid).toBeUndefined();
    await expect(open.query('COMMIT')).rejects.toThrow();
    await pg.restart();

    expect(pg.port).toBe(port);
    expect(pg.pid).not.toBe(crashed);
    expect(await ids(pg, 't')).toEqual([1]);
    expect(await pg.logTail()).toMatch(/not properly shut down|automatic recovery/);
    await Promise.all([committer.end().catch(() => undefined), open.end().catch(() => undefined)]);
  });

  it('stop() then restart() is a clean shutdown that keeps the data', async () => {
    await pg.stop();
    expect(pg.pid).toBeUndefined();
    await pg.restart();
    expect(await ids(pg, 't')).toEqual([1]);
  });

  it('cutAll() breaks a client mid-transaction and the server rolls it back', async () => {
    const proxied = await connected(viaProxy(pg, proxy));
    await proxied.query('BEGIN');
    await proxied.query('INSERT INTO t VALUES (3)');

    expect(proxy.cutAll()).toBe(1);
    await expect(proxied.query('COMMIT')).rejects.toThrow();

    // The cut transaction held the lock on key 3: this insert only succeeds once it rolled back.
    const direct = await connected({ connectionString: pg.connectionString });
    try {
      await direct.query("SET lock_timeout = '5s'");
      await direct.query('INSERT INTO t VALUES (3)');
      expect(await ids(pg, 't')).toEqual([1, 3]);
    } finally {
      await direct.end();
    }
  });

  it('refuse(true) resets new connections until refuse(false)', async () => {
    proxy.refuse(true);
    await expect(connected(viaProxy(pg, proxy))).rejects.toThrow();
    proxy.refuse(false);
    const client = await connected(viaProxy(pg, proxy));
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.end();
  });
});

describe('startPostgres (password)', () => {
  let pg: PgServer;

  beforeAll(async () => {
    pg = await startPostgres({ password: "s3cret'pw" });
  });

  afterAll(async () => {
    await pg?.destroy();
  });

  it('accepts the right password and rejects a wrong or missing one', async () => {
    expect(pg.password).toBe("s3cret'pw");
    const base = { host: pg.host, port: pg.port, user: pg.user, database: pg.database };
    await expect(connected({ ...base, password: 'wrong' })).rejects.toMatchObject({ code: '28P01' });
    await expect(connected({ ...base, password: '' })).rejects.toThrow();
    const client = await connected({ connectionString: pg.connectionString });
    expect((await client.query('SELECT current_user AS u')).rows).toEqual([{ u: 'gax' }]);
    await client.end();
  });

  it('destroy() leaves no server process and removes the temp dir', async () => {
    const pid = pg.pid as number;
    const dir = dirname(pg.dataDir);
    expect(existsSync(`/proc/${pid}`)).toBe(true);

    await pg.destroy();
    await pg.destroy();

    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });
});
