import type pg from 'pg';
import { expect } from 'vitest';
import { faultyLine, responseLine } from './lines.js';
import { seededRandom } from './tail-harness.js';

/** One generated event as the oracle knows it (independent of the plugin's code). */
export interface GenEvent {
  readonly id: string;
  readonly kind: 'request' | 'fault' | 'throttle';
  readonly ms: number;
  readonly api: string;
  readonly context: string;
  readonly app: string;
  readonly latency: number;
}

const APIS = ['Pizza', 'Orders', 'Payments', 'Users', 'Search', 'Stock'];
const APPS = ['WebShop', 'Mobile', 'Partner', 'Backoffice'];
const DAY = 86_400_000;

/** A small deterministic random source (mulberry32). */
export const rng = seededRandom;

/**
 * `count` log lines over 40 days in random order (out of order everywhere), some of them late by
 * weeks into long-closed buckets, 4 % of them repeating an earlier line (duplicates in the
 * input), a tenth faulty of which half throttled. Returns the lines and the distinct events.
 */
export function generate(
  count: number,
  seed: number,
  duplicates = 0.04,
): { lines: string[]; events: GenEvent[] } {
  const prefix = 'e';
  const random = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const start = Date.UTC(2026, 9, 1);
  const lines: string[] = [];
  const events: GenEvent[] = [];
  for (let i = 0; i < count; i++) {
    if (lines.length > 10 && random() < duplicates) {
      lines.push(pick(lines)); // a duplicate of an earlier line
      continue;
    }
    const late = random() < 0.03;
    const ms = Math.floor(start + (late ? random() * 5 : 5 + random() * 35) * DAY);
    const api = pick(APIS);
    const app = pick(APPS);
    const context = `/${api.toLowerCase()}/1.0.0`;
    const id = `${prefix}${seed}-${i}`;
    const r = random();
    const kind = r < 0.05 ? 'throttle' : r < 0.1 ? 'fault' : 'request';
    const latency = 1 + Math.floor(random() * 400);
    const common = {
      apiName: api,
      apiContext: context,
      applicationName: app,
      applicationId: `id-${app}`,
      requestTimestamp: new Date(ms).toISOString(),
    };
    if (kind === 'request') {
      lines.push(
        responseLine(id, { ...common, responseLatency: latency, backendLatency: Math.floor(latency / 2) }),
      );
    } else {
      const fault = JSON.parse(faultyLine(id).split('properties :')[1] as string) as Record<string, unknown>;
      const json = {
        ...fault,
        ...common,
        errorType: kind === 'throttle' ? 'THROTTLED' : 'TARGET_CONNECTIVITY',
        errorMessage: kind === 'throttle' ? 'APPLICATION_LEVEL_LIMIT_EXCEEDED' : 'CONNECTION_TIMEOUT',
        errorCode: kind === 'throttle' ? 900803 : 101504,
        properties: { userName: 'alice@carbon.super', apiContext: context },
      };
      lines.push(`${faultyLine(id).split('properties :')[0]}properties :${JSON.stringify(json)}`);
    }
    events.push({ id, kind, ms, api, context, app, latency: kind === 'request' ? latency : 0 });
  }
  return { lines, events };
}

const bucket = (ms: number, size: number) => Math.floor(ms / size) * size;

/**
 * Every table at every granularity against the events: the counts of each table's stream, the
 * latency sums, the buckets, requests per API per day and the last access per API. Exact.
 */
export async function expectExact(
  client: pg.Client,
  schema: string,
  events: readonly GenEvent[],
  granularities: readonly string[],
): Promise<void> {
  const of = (kinds: string[]) => events.filter((e) => kinds.includes(e.kind));
  const requests = of(['request']);
  const tables: [string, string, GenEvent[]][] = [
    ['ApiUserPerAppAgg', 'AGG_COUNT', requests],
    ['ApiResPathPerApp', 'AGG_COUNT', requests],
    ['ApiPerDestinationAgg', 'AGG_COUNT', requests],
    ['ApiVersionPerAppAgg', 'AGG_COUNT', requests],
    ['ApiExeTime', 'AGG_COUNT', requests],
    ['ApiUserBrowserAgg', 'AGG_COUNT', requests],
    ['GeoLocationAgg', 'totalCount', requests],
    ['ApiFaultyInvocationAgg', 'AGG_COUNT', of(['fault'])],
    ['ApiThrottledOutAgg', 'AGG_COUNT', of(['throttle'])],
    ['APIM_ReqCountAgg', 'AGG_SUM_successCount', requests],
    ['APIM_ReqCountAgg', 'AGG_SUM_throttleCount', of(['throttle'])],
    ['ApiExeTime', 'AGG_SUM_responseTime', requests],
  ];
  const sizes: Record<string, number> = { SECONDS: 1000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: DAY };
  const got: Record<string, number> = {};
  const want: Record<string, number> = {};
  for (const granularity of granularities) {
    for (const [table, column, counted] of tables) {
      const name = `${table}_${granularity}.${column}`;
      const { rows } = await client.query(
        `SELECT COALESCE(SUM("${column}"), 0)::bigint AS n FROM "${schema}"."${table}_${granularity}"`,
      );
      got[name] = Number(rows[0].n);
      want[name] =
        column === 'AGG_SUM_responseTime' ? counted.reduce((n, e) => n + e.latency, 0) : counted.length;
    }
    const size = sizes[granularity];
    if (size !== undefined) {
      const { rows } = await client.query(
        `SELECT COUNT(DISTINCT "AGG_TIMESTAMP")::int AS n FROM "${schema}"."ApiVersionPerAppAgg_${granularity}"`,
      );
      got[`${granularity} buckets`] = rows[0].n;
      want[`${granularity} buckets`] = new Set(requests.map((e) => bucket(e.ms, size))).size;
    }
  }
  expect(got).toEqual(want);

  const perDay = new Map<string, number>();
  for (const e of requests) {
    const key = `${bucket(e.ms, DAY)} ${e.context}`;
    perDay.set(key, (perDay.get(key) ?? 0) + 1);
  }
  const { rows } = await client.query(
    `SELECT "AGG_TIMESTAMP" AS t, "apiContext" AS c, SUM("AGG_COUNT")::int AS n FROM "${schema}"."ApiVersionPerAppAgg_DAYS" GROUP BY 1, 2`,
  );
  expect(new Map(rows.map((r) => [`${r.t} ${r.c}`, r.n]))).toEqual(perDay);

  const last = new Map<string, number>();
  for (const e of requests) last.set(e.api, Math.max(last.get(e.api) ?? 0, e.ms));
  const access = await client.query(
    `SELECT "apiName" AS a, "lastAccessTime" AS t FROM "${schema}"."ApiLastAccessSummary"`,
  );
  expect(new Map(access.rows.map((r) => [r.a, Number(r.t)]))).toEqual(last);
}
