/**
 * PostgreSQL for the bench (`Scenario.services` `postgres`), started once per harness run by
 * `services.ts`: a real server from test/helpers/postgres.ts (its own processes on 127.0.0.1, a
 * fresh cluster in a temp dir, never counted in a measured child; stopped by PID at the end).
 */
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { type PgServer, startPostgres } from '../../test/helpers/postgres.js';

export interface PostgresService {
  /** `postgresql://gax@127.0.0.1:<port>/gax` */
  readonly url: string;
  /** Drops the schemas earlier runs created (`gaxbench_*`) and restarts the CPU count. */
  reset(): Promise<void>;
  /** CPU seconds the server's processes used since the last `reset` (backends that exited included). */
  cpuSeconds(): number;
}

/** user + sys CPU seconds of `pid`, plus its reaped children's when `children` (fields 14–17). */
function cpuOf(pid: number, children: boolean): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = Number(f[11]) + Number(f[12]);
    return (children ? own + Number(f[13]) + Number(f[14]) : own) / 100;
  } catch {
    return 0;
  }
}

/** The postmaster's CPU with its exited backends', plus every live child's own. */
export function clusterCpuSeconds(postmaster: number | undefined): number {
  if (postmaster === undefined) return 0;
  let total = cpuOf(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) total += cpuOf(Number(entry), false);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

export async function startPostgresService(
  log: (message: string) => void,
): Promise<{ service: PostgresService; server: PgServer }> {
  log('starting PostgreSQL (once for this run)');
  const server = await startPostgres({ settings: { shared_buffers: '128MB', work_mem: '16MB' } });
  log(`PostgreSQL at ${server.connectionString}, pid ${String(server.pid)}`);
  let cpuAtReset = clusterCpuSeconds(server.pid);
  const service: PostgresService = {
    url: server.connectionString,
    cpuSeconds: () => clusterCpuSeconds(server.pid) - cpuAtReset,
    reset: async () => {
      const client = new pg.Client({ connectionString: server.connectionString });
      await client.connect();
      try {
        const { rows } = await client.query<{ name: string }>(
          "SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'gaxbench\\_%'",
        );
        for (const { name } of rows) await client.query(`DROP SCHEMA "${name}" CASCADE`);
      } finally {
        await client.end();
      }
      cpuAtReset = clusterCpuSeconds(server.pid);
    },
  };
  return { service, server };
}
