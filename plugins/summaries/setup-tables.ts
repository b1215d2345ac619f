import pg from 'pg';
import { GaxError } from '../../src/errors.js';
import { readClientTls } from '../../src/http/client-tls.js';
import type { CommandIo } from '../../src/plugin/capabilities.js';
import { redactUrlCredentials } from '../../src/telemetry/redact.js';
import { classifyPgError } from './classify.js';
import { poolConfig } from './client.js';
import type { SummariesConfig } from './config.js';
import { schemaStatements } from './ddl.js';
import { outboxStatements } from './outbox.js';
import { TABLES } from './tables.js';

function statements(config: SummariesConfig): string[] {
  const tables = TABLES.filter((t) => config.tables.includes(t.name));
  const schema = config.postgres.schema;
  return [
    ...schemaStatements(schema, config.granularities, tables),
    ...(config.elasticsearch === undefined ? [] : outboxStatements(schema)),
  ];
}

/** `--print`: the SQL a DBA runs instead (each statement idempotent). */
export async function printSchema(config: SummariesConfig, io: CommandIo): Promise<0> {
  for (const text of statements(config)) io.stdout.write(`${text};\n\n`);
  return 0;
}

/**
 * Runs the statements in one transaction and prints one line per table or index: `created` or
 * `exists`. A failure (unreachable, authentication, privileges) is `GAX_ERR_SETUP_FAILED` with
 * PostgreSQL's reason; nothing is half created.
 */
export async function runSetupPostgres(config: SummariesConfig, io: CommandIo): Promise<0> {
  const { postgres } = config;
  const tls =
    postgres.tls === undefined ? undefined : await readClientTls(postgres.tls, 'plugins.summaries.postgres');
  const client = new pg.Client(poolConfig(postgres, tls));
  const fail = (err: unknown): GaxError => {
    const { result } = classifyPgError(err);
    const reason = result.status === 'delivered' ? String(err) : result.reason;
    return new GaxError('GAX_ERR_SETUP_FAILED', reason, { command: 'setup postgres', cause: err });
  };
  const lines: string[] = [];
  try {
    await client.connect();
    await client.query('BEGIN');
    for (const text of statements(config)) {
      const name = /^CREATE (TABLE|INDEX|SCHEMA) IF NOT EXISTS ((?:"[^"]*"\.?)+)/.exec(text);
      const kind = (name?.[1] ?? '').toLowerCase();
      const object = name?.[2] ?? text;
      const before = await exists(client, kind, object, postgres.schema);
      await client.query(text);
      lines.push(`${kind.padEnd(8)}${object.padEnd(48)}${before ? 'exists' : 'created'}\n`);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw fail(err);
  } finally {
    await client.end().catch(() => undefined);
  }
  for (const line of lines) io.stdout.write(line);
  io.stdout.write(`PostgreSQL ${redactUrlCredentials(postgres.url)}: the summaries tables are ready.\n`);
  return 0;
}

async function exists(client: pg.Client, kind: string, object: string, schema: string): Promise<boolean> {
  if (kind === 'schema') {
    const { rows } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    return rows.length > 0;
  }
  const qualified = kind === 'index' ? `"${schema}".${object}` : object;
  const { rows } = await client.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [
    qualified,
  ]);
  return rows[0]?.found !== null && rows[0]?.found !== undefined;
}
