import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, type ClientConfig } from 'pg';
import {
  asOwner,
  ensureOwner,
  ensurePostgres,
  initCluster,
  PG_SUPERUSER,
  type PgInstall,
} from './postgres-install.js';
import { launch, type Running, terminate } from './postgres-process.js';
import { freePort } from './prometheus.js';

export { ensurePostgres, findPostgres, type PgInstall } from './postgres-install.js';

/**
 * Real PostgreSQL servers for integration tests, from Debian's packages (test/helpers/postgres-install.ts).
 * Each server is a fresh cluster in a private temp dir (data, unix socket, console log) listening
 * on 127.0.0.1 only, on a free port, with fsync on. `postgres -D` runs directly (no pg_ctl) in its
 * own process group under a watchdog launcher, so it is stopped by PID and never outlives the test
 * process. It has a database `gax` owned by a login role `gax`, the role a plugin under test uses.
 */

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const DEFAULT_MAX_CONNECTIONS = 20;

/** A running (or stopped) local PostgreSQL server; see {@link startPostgres}. */
export interface PgServer {
  readonly host: '127.0.0.1';
  /** Stays the same across kill()/stop() and restart(). */
  readonly port: number;
  /** `gax`: the owner of {@link database}. */
  readonly user: string;
  /** `gax`. */
  readonly database: string;
  /** The role's password when the server requires one (`password` option), else undefined. */
  readonly password: string | undefined;
  /** `postgresql://gax[:password]@127.0.0.1:<port>/gax`. */
  readonly connectionString: string;
  /** PID of the postmaster, undefined while stopped. */
  readonly pid: number | undefined;
  /** The cluster's data directory (inside the temp dir destroy() removes). */
  readonly dataDir: string;
  /** Superuser connection settings over the unix socket, for assertions and admin actions. */
  readonly admin: ClientConfig;
  /** Fast shutdown (SIGINT: open transactions roll back), SIGKILL to the group after 10 s. */
  stop(): Promise<void>;
  /** SIGKILL to the postmaster (a crash), then waits until its backends are gone too. */
  kill(): Promise<void>;
  /** Starts again (stopping first if running) on the same port and data dir; resolves when it accepts connections. */
  restart(): Promise<void>;
  /** stop() and remove the temp dir; idempotent. */
  destroy(): Promise<void>;
  /** The last `lines` lines of the server's console output, for failure messages. */
  logTail(lines?: number): Promise<string>;
}

export interface PgOptions {
  /** Require this password (scram-sha-256) for role `gax` over TCP; default: trust, no password. */
  password?: string;
  /** `max_connections`; default 20. */
  maxConnections?: number;
  /** Extra or overriding server settings, passed as `-c key=value`. */
  settings?: Record<string, string>;
}

interface Layout {
  readonly install: PgInstall;
  readonly dir: string;
  readonly port: number;
  readonly options: PgOptions;
}

class LocalPgServer implements PgServer {
  readonly host = '127.0.0.1';
  readonly user = 'gax';
  readonly database = 'gax';
  readonly port: number;
  readonly password: string | undefined;
  readonly connectionString: string;
  readonly dataDir: string;
  readonly admin: ClientConfig;
  pid: number | undefined;
  private running: Running | undefined;
  private destroyed = false;

  constructor(private readonly layout: Layout) {
    this.port = layout.port;
    this.password = layout.options.password;
    this.dataDir = join(layout.dir, 'data');
    const auth =
      this.password === undefined ? this.user : `${this.user}:${encodeURIComponent(this.password)}`;
    this.connectionString = `postgresql://${auth}@${this.host}:${this.port}/${this.database}`;
    this.admin = { host: this.socketDir, port: this.port, user: PG_SUPERUSER, database: 'postgres' };
  }

  private get socketDir(): string {
    return join(this.layout.dir, 'sock');
  }

  private get consoleLog(): string {
    return join(this.layout.dir, 'console.log');
  }

  private command(): string[] {
    const settings: Record<string, string> = {
      listen_addresses: this.host,
      port: String(this.port),
      unix_socket_directories: this.socketDir,
      max_connections: String(this.layout.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS),
      shared_buffers: '16MB',
      logging_collector: 'off',
      ...this.layout.options.settings,
    };
    const flags = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
    return asOwner([join(this.layout.install.bin, 'postgres'), '-D', this.dataDir, ...flags]);
  }

  async start(): Promise<void> {
    if (this.destroyed) throw new Error('this PostgreSQL server was destroyed');
    if (this.running !== undefined) return;
    const running = launch(this.command(), this.consoleLog);
    this.running = running;
    try {
      await this.waitUntilReady(running);
    } catch (error) {
      await this.terminate('SIGKILL');
      throw new Error(
        `${(error as Error).message}\n--- PostgreSQL console (last lines) ---\n${await this.logTail()}`,
      );
    }
  }

  /** Ready: the superuser's `SELECT 1` succeeds (not during crash recovery); the PID comes from postmaster.pid. */
  private async waitUntilReady(running: Running): Promise<void> {
    const until = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      if (running.exitCode !== undefined)
        throw new Error(`PostgreSQL exited during startup (code ${running.exitCode})`);
      if (Date.now() > until) throw new Error(`PostgreSQL not ready within ${STARTUP_TIMEOUT_MS} ms`);
      if (
        await this.adminQuery('SELECT 1').then(
          () => true,
          () => false,
        )
      )
        break;
      await sleep(50);
    }
    const pid = Number((await readFile(join(this.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`bad postmaster.pid in ${this.dataDir}`);
    this.pid = pid;
  }

  /** Runs `sql` as the superuser over the unix socket on a fresh connection. */
  async adminQuery(sql: string): Promise<void> {
    const client = new Client({ ...this.admin, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query(sql);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  stop(): Promise<void> {
    return this.terminate('SIGINT');
  }

  kill(): Promise<void> {
    return this.terminate('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Sends `name` to the postmaster (or its whole group before its PID is known), then reaps the group. */
  private async terminate(name: NodeJS.Signals): Promise<void> {
    const running = this.running;
    if (running === undefined) return;
    await terminate(running, this.pid, name, STOP_GRACE_MS);
    this.running = undefined;
    this.pid = undefined;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    try {
      await this.stop();
    } finally {
      await rm(this.layout.dir, { recursive: true, force: true });
    }
  }

  async logTail(lines = 60): Promise<string> {
    const text = await readFile(this.consoleLog, 'utf8').catch(() => '');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  }
}

/**
 * Starts a fresh PostgreSQL cluster on a free 127.0.0.1 port and resolves once it accepts
 * connections and has database `gax` owned by role `gax`. Throws (never skips) when the install,
 * initdb or startup fails; startup errors carry the console tail. Call destroy() in afterAll;
 * servers left running are SIGKILLed when the test process exits.
 */
export async function startPostgres(options: PgOptions = {}): Promise<PgServer> {
  const install = await ensurePostgres();
  ensureOwner();
  const dir = await mkdtemp(join(tmpdir(), 'gax-pg-'));
  const server = new LocalPgServer({ install, dir, port: await freePort(), options });
  try {
    await mkdir(join(dir, 'sock'));
    await initCluster(install, dir, options.password !== undefined);
    await server.start();
    const password =
      options.password === undefined ? '' : ` PASSWORD '${options.password.replaceAll("'", "''")}'`;
    await server.adminQuery(`CREATE ROLE gax LOGIN${password}`);
    await server.adminQuery('CREATE DATABASE gax OWNER gax');
  } catch (error) {
    await server.destroy().catch(() => undefined);
    throw error;
  }
  return server;
}
