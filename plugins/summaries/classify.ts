import { type EventResult, rejected, retryable } from '../../src/plugin/result.js';

/** How a failed batch transaction is answered (it was rolled back: none of it is in the tables). */
export interface Failure {
  readonly result: EventResult;
  /** SQLSTATE (`40P01`), Node's code (`ECONNREFUSED`), or `error`: the metric label. */
  readonly errorType: string;
  /** The tables are gone (`42P01`): create them again before the retry (when `createTables`). */
  readonly missingTable: boolean;
  /** Needs the operator (authentication, no such database, privilege): waiting will not help. */
  readonly fatal: boolean;
}

const HINTS: Readonly<Record<string, string>> = {
  '28P01': 'password authentication failed: check postgres.password',
  '28000': 'the server refused this user or host (pg_hba.conf)',
  '3D000': 'the database in postgres.url does not exist',
  '42501': 'the user lacks a privilege on the tables (INSERT, UPDATE, SELECT; CREATE for createTables)',
  '42P01': 'a table is missing: run gax setup postgres, or keep createTables on',
  '53100': 'the server is out of disk space',
  '57P01': 'the server is shutting down',
  '57P03': 'the server is starting up or in recovery',
  ECONNREFUSED: 'nothing listens at postgres.url',
};

/**
 * A data exception (class 22) or integrity violation (23) would fail again the same way: the
 * batch is dead-lettered (it stays replayable). Everything else (connection lost, server
 * restarting, deadlock, serialization, timeout, authentication, privileges) is retried: the
 * transaction rolled back, and a resend finds the tables as they were.
 */
export function classifyPgError(err: unknown): Failure {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const hint = HINTS[code];
  const reason = `PostgreSQL ${code}: ${message}${hint === undefined ? '' : ` (${hint})`}`;
  const refused = /^2[23]/.test(code);
  return {
    result: refused ? rejected(reason) : retryable(reason),
    errorType: code,
    missingTable: code === '42P01' || code === '3F000',
    fatal: /^(28|3D)/.test(code) || code === '42501',
  };
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code !== '' ? code : 'error';
}
