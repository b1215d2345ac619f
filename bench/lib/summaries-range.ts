/**
 * The `summaries-range-query` measurement (issue 19, part 5): one per-API-per-day view over the
 * whole window, asked of the raw events and of the summaries plugin's `_DAYS` tables in the same
 * database and run. Rows read come from `EXPLAIN (ANALYZE, BUFFERS)` (every scan node: rows it
 * returned plus rows its filter removed, times its loops); times are the median of plain runs.
 *
 * The sample is `fraction` of the full-rate traffic. At full rate the raw side reads 1/fraction as
 * many rows (every event of the window is scanned; nothing else changes), while a summary table
 * holds at most one row per day × API × application whatever the rate: the full-rate ratio is
 * (raw rows read / fraction) / (days × APIs × applications), a lower bound.
 */
import pg from 'pg';
import { DAY_MS, load, sampleSize, type TrafficOptions } from './summaries-traffic.js';

const SCHEMA = 'gaxbench_range';

/**
 * The same question three ways: requests per API per day over the window. `APIM_ReqCountAgg` also
 * has rows for throttled-only (API, application, day) keys, with no successful request: HAVING
 * leaves out the (day, API) cells they alone make, which the raw answer has no row for either.
 */
export function queries(o: TrafficOptions): Record<'raw' | 'versionPerApp' | 'reqCount', string> {
  const from = o.start;
  const to = o.start + o.days * DAY_MS;
  return {
    raw: `SELECT (ts / ${DAY_MS}) * ${DAY_MS} AS day, api_context AS api, count(*) AS requests
FROM "${SCHEMA}".raw_events WHERE event_type = 'response' AND ts >= ${from} AND ts < ${to}
GROUP BY 1, 2 ORDER BY 1, 2`,
    versionPerApp: `SELECT "AGG_TIMESTAMP" AS day, "apiContext" AS api, sum("AGG_COUNT") AS requests
FROM "${SCHEMA}"."ApiVersionPerAppAgg_DAYS" WHERE "AGG_TIMESTAMP" >= ${from} AND "AGG_TIMESTAMP" < ${to}
GROUP BY 1, 2 ORDER BY 1, 2`,
    reqCount: `SELECT "AGG_TIMESTAMP" AS day, '/' || "apiName" || '/' || "apiVersion" AS api, sum("AGG_SUM_successCount") AS requests
FROM "${SCHEMA}"."APIM_ReqCountAgg_DAYS" WHERE "AGG_TIMESTAMP" >= ${from} AND "AGG_TIMESTAMP" < ${to}
GROUP BY 1, 2 HAVING sum("AGG_SUM_successCount") > 0 ORDER BY 1, 2`,
  };
}

interface PlanNode {
  'Node Type': string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

/** Rows every scan node of `plan` read: returned plus removed by its filter, times its loops. */
export function rowsRead(plan: PlanNode): number {
  const own = plan['Node Type'].includes('Scan')
    ? (plan['Actual Rows'] +
        (plan['Rows Removed by Filter'] ?? 0) +
        (plan['Rows Removed by Index Recheck'] ?? 0)) *
      plan['Actual Loops']
    : 0;
  return own + (plan.Plans ?? []).reduce((sum, p) => sum + rowsRead(p), 0);
}

export interface QueryFigures {
  /** Rows the scans read (EXPLAIN ANALYZE). */
  rows: number;
  /** Shared buffers hit + read (8 KiB pages). */
  pages: number;
  /** EXPLAIN ANALYZE's execution time. */
  explainMs: number;
  /** Median wall time of plain runs, client side. */
  ms: number;
  /** The answer: `day api` → requests. */
  answer: Map<string, number>;
}

async function measure(client: pg.Client, sql: string, runs: number): Promise<QueryFigures> {
  const { rows: answerRows } = await client.query<{ day: string; api: string; requests: string }>(sql);
  const answer = new Map(answerRows.map((r) => [`${r.day} ${r.api}`, Number(r.requests)]));
  const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(
    `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`,
  );
  const [{ Plan: plan, 'Execution Time': explainMs }] = rows[0]!['QUERY PLAN'];
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await client.query(sql);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const pages = (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0);
  return { rows: rowsRead(plan), pages, explainMs, ms: times[Math.floor(times.length / 2)]!, answer };
}

/** Everything the scenario prints (one JSON line). */
export interface RangeFigures {
  options: TrafficOptions;
  /** Events at full rate over the window (days × 86,400 × rate). */
  fullRateEvents: number;
  sampleEvents: number;
  loadSeconds: { raw: number; summaries: number };
  raw: Omit<QueryFigures, 'answer'>;
  versionPerApp: Omit<QueryFigures, 'answer'>;
  reqCount: Omit<QueryFigures, 'answer'>;
  /** Both summary answers equal the raw answer, cell by cell. */
  answersAgree: boolean;
  /** Measured on the sample: raw rows read / ApiVersionPerAppAgg_DAYS rows read. */
  sampleRowRatio: number;
  /** At full rate: raw rows read / fraction, and the summary table's bound days × APIs × apps. */
  fullRate: { rawRows: number; summaryRowsBound: number; rowRatio: number; rawMsEstimate: number };
  /** Same run, measured: raw median ms / summary median ms. */
  timeRatio: number;
}

const strip = ({ answer: _, ...rest }: QueryFigures): Omit<QueryFigures, 'answer'> => rest;

function same(a: Map<string, number>, b: Map<string, number>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/** Loads the sample into the database at `url` and measures the three queries. */
export async function measureRange(url: string, o: TrafficOptions, runs: number): Promise<RangeFigures> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const loaded = await load(client, SCHEMA, o);
    const q = queries(o);
    const raw = await measure(client, q.raw, runs);
    const versionPerApp = await measure(client, q.versionPerApp, runs);
    const reqCount = await measure(client, q.reqCount, runs);
    const summaryRowsBound = o.days * o.apis * o.apps;
    const rawRows = Math.round(raw.rows / o.fraction);
    return {
      options: o,
      fullRateEvents: o.days * 86_400 * o.rate,
      sampleEvents: loaded.events,
      loadSeconds: { raw: loaded.rawSeconds, summaries: loaded.summarySeconds },
      raw: strip(raw),
      versionPerApp: strip(versionPerApp),
      reqCount: strip(reqCount),
      answersAgree: same(raw.answer, versionPerApp.answer) && same(raw.answer, reqCount.answer),
      sampleRowRatio: raw.rows / versionPerApp.rows,
      fullRate: {
        rawRows,
        summaryRowsBound,
        rowRatio: rawRows / summaryRowsBound,
        rawMsEstimate: raw.ms / o.fraction,
      },
      timeRatio: raw.ms / versionPerApp.ms,
    };
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => undefined);
    await client.end();
  }
}

export { sampleSize };
