/**
 * Generated API traffic for the `summaries-range-query` scenario: canonical events spread evenly
 * over `days` UTC days, loaded twice into one PostgreSQL database, as raw rows (`raw_events`, one
 * per event, as a raw-event store keeps them) and as the summaries plugin's aggregate tables (its
 * own `aggregate` + `upsert`, batch by batch, as the plugin writes them).
 */
import type pg from 'pg';
import { aggregate } from '../../plugins/summaries/aggregate.js';
import { schemaStatements } from '../../plugins/summaries/ddl.js';
import type { Granularity } from '../../plugins/summaries/granularity.js';
import { upsert } from '../../plugins/summaries/sql.js';
import { TABLES } from '../../plugins/summaries/tables.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { seededRandom } from '../../test/helpers/tail-harness.js';

export const DAY_MS = 86_400_000;

/** What is generated: the full-rate traffic described, and the fraction of it actually loaded. */
export interface TrafficOptions {
  readonly days: number;
  /** Requests per second at full rate (all APIs together). */
  readonly rate: number;
  readonly apis: number;
  readonly apps: number;
  /** The share of the full-rate events generated and loaded (1/30: 30 days at 1/30 of the rate). */
  readonly fraction: number;
  /** First day (epoch ms, UTC midnight). */
  readonly start: number;
}

/** The summary tables the range queries read, at the granularity they read. */
export const SUMMARY_TABLES = TABLES.filter((t) =>
  ['ApiVersionPerAppAgg', 'APIM_ReqCountAgg'].includes(t.name),
);
export const SUMMARY_GRANULARITIES: readonly Granularity[] = ['DAYS'];

const RAW_COLUMNS: readonly [string, string][] = [
  ['ts', 'bigint'],
  ['correlation_id', 'text'],
  ['event_type', 'text'],
  ['error_type', 'text'],
  ['api_name', 'text'],
  ['api_version', 'text'],
  ['api_context', 'text'],
  ['app_id', 'text'],
  ['app_name', 'text'],
  ['user_name', 'text'],
  ['resource', 'text'],
  ['method', 'text'],
  ['status', 'integer'],
  ['response_latency', 'integer'],
  ['backend_latency', 'integer'],
  ['hostname', 'text'],
];

/** `raw_events` (with an index on `ts`, as a raw store queried by time has) and the summary tables. */
export async function createTables(client: pg.Client, schema: string): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  for (const text of schemaStatements(schema, SUMMARY_GRANULARITIES, SUMMARY_TABLES))
    await client.query(text);
  const columns = RAW_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');
  await client.query(`CREATE TABLE "${schema}".raw_events (${columns})`);
}

/** Events in the sample: the full-rate count times `fraction`. */
export function sampleSize(o: TrafficOptions): number {
  return Math.round(o.days * 86_400 * o.rate * o.fraction);
}

/** A deterministic random source (mulberry32). */
const rng = seededRandom;

/** Zipf (s = 1) weights over `n` APIs, as cumulative shares. */
function zipf(n: number): number[] {
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  return weights.map((w) => {
    sum += w / total;
    return sum;
  });
}

/**
 * The sample's events in time order, in chunks of `chunk`: evenly spaced over the days (jittered),
 * APIs Zipf-skewed, applications uniform, 5 % faulty of which half throttled.
 */
export function* events(o: TrafficOptions, chunk: number): Generator<CanonicalEvent[]> {
  const total = sampleSize(o);
  const random = rng(19);
  const cumulative = zipf(o.apis);
  const step = (o.days * DAY_MS) / total;
  let batch: CanonicalEvent[] = [];
  for (let i = 0; i < total; i++) {
    const ms = Math.floor(o.start + (i + random()) * step);
    const r = random();
    const api = cumulative.findIndex((c) => r <= c);
    const app = Math.floor(random() * o.apps);
    const kind = random();
    const latency = 5 + Math.floor(random() * 300);
    const common = {
      requestTimestamp: new Date(ms).toISOString(),
      correlationId: `c${i}-${Math.floor(random() * 1e9).toString(36)}`,
      apiName: `api${api}`,
      apiVersion: '1.0.0',
      apiContext: `/api${api}/1.0.0`,
      apiCreator: 'admin',
      apiCreatorTenantDomain: 'carbon.super',
      applicationId: `app-${app}`,
      applicationName: `App ${app}`,
      userName: `user${i % 500}@carbon.super`,
      gatewayType: 'SYNAPSE',
      host: { name: 'gw-1' },
    };
    const event: CanonicalEvent =
      kind < 0.95
        ? {
            ...common,
            eventType: 'response',
            apiResourceTemplate: '/items/{id}',
            apiMethod: 'GET',
            proxyResponseCode: 200,
            responseLatency: latency,
            backendLatency: Math.floor(latency * 0.8),
          }
        : {
            ...common,
            eventType: 'faulty',
            errorType: kind < 0.975 ? 'THROTTLED' : 'TARGET_CONNECTIVITY',
            proxyResponseCode: kind < 0.975 ? 429 : 503,
          };
    batch.push(event);
    if (batch.length === chunk) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** One `INSERT … SELECT FROM unnest(…)` of a chunk's raw rows. */
export async function insertRaw(
  client: pg.Client,
  schema: string,
  chunk: readonly CanonicalEvent[],
): Promise<void> {
  const values: unknown[][] = [
    chunk.map((e) => Date.parse(e.requestTimestamp)),
    chunk.map((e) => e.correlationId),
    chunk.map((e) => e.eventType),
    chunk.map((e) => e.errorType ?? null),
    chunk.map((e) => e.apiName),
    chunk.map((e) => e.apiVersion),
    chunk.map((e) => e.apiContext),
    chunk.map((e) => e.applicationId),
    chunk.map((e) => e.applicationName),
    chunk.map((e) => e.userName),
    chunk.map((e) => e.apiResourceTemplate ?? null),
    chunk.map((e) => e.apiMethod ?? null),
    chunk.map((e) => e.proxyResponseCode),
    chunk.map((e) => e.responseLatency ?? null),
    chunk.map((e) => e.backendLatency ?? null),
    chunk.map((e) => e.host?.name),
  ];
  const params = RAW_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  await client.query(`INSERT INTO "${schema}".raw_events SELECT * FROM unnest(${params})`, values);
}

/** The plugin's own path for one batch: `aggregate` into per-row deltas, one `upsert` per table. */
export async function upsertSummaries(
  client: pg.Client,
  schema: string,
  chunk: readonly CanonicalEvent[],
): Promise<void> {
  for (const delta of aggregate(chunk, SUMMARY_TABLES, SUMMARY_GRANULARITIES)) {
    const s = upsert(schema, delta);
    await client.query(s.text, s.values);
  }
}

/** Loads the sample both ways; then the `ts` index and fresh statistics. Returns the seconds each side took. */
export async function load(
  client: pg.Client,
  schema: string,
  o: TrafficOptions,
): Promise<{ events: number; rawSeconds: number; summarySeconds: number }> {
  await createTables(client, schema);
  let raw = 0;
  let summary = 0;
  let count = 0;
  for (const chunk of events(o, 50_000)) {
    const t0 = performance.now();
    await insertRaw(client, schema, chunk);
    const t1 = performance.now();
    await upsertSummaries(client, schema, chunk);
    summary += performance.now() - t1;
    raw += t1 - t0;
    count += chunk.length;
  }
  const t2 = performance.now();
  await client.query(`CREATE INDEX raw_events_ts ON "${schema}".raw_events (ts)`);
  raw += performance.now() - t2;
  const tables = ['raw_events', ...SUMMARY_TABLES.map((t) => `${t.name}_DAYS`)];
  await client.query(`VACUUM ANALYZE ${tables.map((t) => `"${schema}"."${t}"`).join(', ')}`);
  return { events: count, rawSeconds: raw / 1000, summarySeconds: summary / 1000 };
}
