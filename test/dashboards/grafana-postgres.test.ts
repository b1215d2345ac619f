// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${datasource} is Grafana variable syntax under test
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAFANA_SCHEMA_PATH } from '../../scripts/gen-grafana-schema.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { type PgServer, startPostgres } from '../helpers/postgres.js';
import { allPanels } from './grafana-expressions.js';
import { num, panelQuery, type Row, runPanelSql, type Selection, total } from './grafana-postgres-run.js';
import { loadPostgresDashboard, postgresQueries } from './grafana-postgres-sql.js';
import {
  average,
  countBy,
  DAY_MS,
  dayStart,
  FULL_RANGE,
  fillSummaries,
  generatedEvents,
  isFault,
  isResponse,
  isThrottled,
  requestMs,
} from './summaries-postgres-data.js';

const DATASOURCE = { type: 'grafana-postgresql-datasource', uid: '${datasource}' };
const GRANULARITIES = ['HOURS', 'DAYS', 'MONTHS'] as const;
const dashboard = loadPostgresDashboard();
const panels = allPanels(dashboard);
const visualisations = panels.filter((p) => p.type !== 'row');
const queries = postgresQueries(dashboard);

describe('summaries-postgres dashboard: schema and conventions', () => {
  const ajv = new Ajv({ allErrors: true, strict: true });
  ajv.addSchema(JSON.parse(readFileSync(GRAFANA_SCHEMA_PATH, 'utf8')) as object, 'grafana');
  const validateDashboard = ajv.getSchema('grafana');
  const validatePanel = ajv.getSchema('grafana#/definitions/Panel');

  it('validates against the Dashboard type of @grafana/schema, and so does every panel', () => {
    expect(validateDashboard?.(dashboard)).toBe(true);
    expect(validateDashboard?.errors ?? []).toEqual([]);
    for (const panel of visualisations) {
      expect(validatePanel?.(panel), String(panel.title)).toBe(true);
    }
    const broken = structuredClone(dashboard) as { panels: Record<string, unknown>[] };
    Object.assign(broken.panels[1] as object, { datasourceUid: 'x' });
    expect(validateDashboard?.(broken)).toBe(false);
  });

  it('has its uid, title, tags, a 90-day default range and UTC time', () => {
    expect(dashboard).toMatchObject({
      uid: 'gax-apim-summaries-pg',
      time: { from: 'now-90d', to: 'now' },
      timezone: 'utc',
    });
    expect(dashboard.tags).toEqual(expect.arrayContaining(['gax', 'postgresql', 'summaries']));
    expect(JSON.stringify(dashboard)).not.toContain('${DS_');
  });

  it('has the datasource, granularity (HOURS, DAYS, MONTHS; DAYS) and api variables', () => {
    const vars = dashboard.templating?.list ?? [];
    expect(vars.map((v) => v.name)).toEqual(['datasource', 'granularity', 'api']);
    expect(vars[0]).toMatchObject({ type: 'datasource', query: 'grafana-postgresql-datasource' });
    expect(vars[1]).toMatchObject({ type: 'custom', query: 'HOURS,DAYS,MONTHS', current: { value: 'DAYS' } });
    expect(vars[2]).toMatchObject({ type: 'query', datasource: DATASOURCE, includeAll: true, multi: true });
  });

  it.each(
    visualisations.map((p) => [String(p.title), p] as const),
  )('panel %s queries ${datasource} with raw SQL in every target', (_t, panel) => {
    expect(panel.datasource).toEqual(DATASOURCE);
    expect(panel.targets?.length ?? 0).toBeGreaterThan(0);
    for (const t of panel.targets ?? []) {
      expect(t).toMatchObject({ datasource: DATASOURCE, rawQuery: true, editorMode: 'code' });
      expect(['table', 'time_series']).toContain(t.format);
    }
  });

  it('reads the $granularity tables between the macros of the time range (bigint epoch ms)', () => {
    for (const q of queries.filter((x) => x.sql.includes('AGG_TIMESTAMP'))) {
      expect(q.sql, q.where).toMatch(/"\w+_\$granularity"/);
      expect(q.sql, q.where).toContain(
        '"AGG_TIMESTAMP" >= $__unixEpochFrom()::bigint * 1000 AND "AGG_TIMESTAMP" < $__unixEpochTo()::bigint * 1000',
      );
    }
    for (const q of queries.filter((x) => x.format === 'time_series')) {
      expect(q.sql, q.where).toContain('to_timestamp("AGG_TIMESTAMP" / 1000.0) AS time');
      expect(q.sql, q.where).toMatch(/ORDER BY 1/);
    }
  });

  it('gives unique ids and lays panels out on the 24-column grid without overlaps', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const boxes = panels.map((p) => ({ t: String(p.title), ...(p.gridPos ?? { x: 0, y: 0, w: 0, h: 0 }) }));
    for (const b of boxes) expect(b.x + b.w, b.t).toBeLessThanOrEqual(24);
    const overlaps = boxes.flatMap((a, i) =>
      boxes
        .slice(i + 1)
        .filter((b) => !(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y))
        .map((b) => `${a.t} / ${b.t}`),
    );
    expect(overlaps).toEqual([]);
  });
});

describe('summaries-postgres dashboard: every query on PostgreSQL with 40 days of events', () => {
  let pg: PgServer;
  let client: Client;
  let events: CanonicalEvent[];
  const all = (granularity: string): Selection => ({ granularity, api: 'All', ...FULL_RANGE });
  const run = (title: string, s: Selection, refId = 'A'): Promise<Row[]> =>
    runPanelSql(client, panelQuery(title, refId).sql, s);

  beforeAll(async () => {
    pg = await startPostgres();
    client = new Client({ connectionString: pg.connectionString });
    await client.connect();
    events = generatedEvents();
    await fillSummaries(client, events);
  });

  afterAll(async () => {
    await client?.end();
    await pg?.destroy();
  });

  const cases = GRANULARITIES.flatMap((g) => queries.map((q) => [q.where, g, q] as const));
  it.each(cases)('%s runs at %s and returns rows', async (_where, granularity, q) => {
    const rows = await runPanelSql(client, q.sql, all(granularity));
    expect(rows.length).toBeGreaterThan(0);
    if (q.format === 'time_series') {
      const times = rows.map((r) => (r.time as Date).getTime());
      expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
      expect(times.every((t) => t >= FULL_RANGE.from && t < FULL_RANGE.to)).toBe(true);
    }
  });

  it('runs every query with one API picked and shows only that API', async () => {
    const name = String(countBy(events.filter(isFault), (e) => String(e.apiName))[0]?.[0]);
    for (const q of queries.filter((x) => x.format !== 'variable')) {
      const rows = await runPanelSql(client, q.sql, { ...all('DAYS'), api: [name] });
      expect(rows.length, q.where).toBeGreaterThan(0);
      const apis = new Set(rows.flatMap((r) => [r.API, r.api].filter((v) => v !== undefined)));
      expect(
        [...apis].filter((a) => !String(a).startsWith(name)),
        q.where,
      ).toEqual([]);
    }
  });

  it.each(GRANULARITIES)('counts every request in range at %s (totals match the events)', async (g) => {
    const [stat] = await run('Requests in range', all(g));
    expect(num(stat, 'successful')).toBe(events.filter(isResponse).length);
    expect(num(stat, 'throttled out')).toBe(events.filter(isThrottled).length);
    const [faulty] = await run('Requests in range', all(g), 'B');
    expect(num(faulty, 'faulty')).toBe(events.filter(isFault).length);
    const series = await run('Requests over time', all(g));
    expect(total(series, 'successful')).toBe(events.filter(isResponse).length);
    expect(total(series, 'throttled out')).toBe(events.filter(isThrottled).length);
    if (g !== 'HOURS') expect(series.length).toBe(g === 'MONTHS' ? 2 : 40);
  });

  it('shows only buckets that start inside the range (days from noon of 10 March to 1 April)', async () => {
    const from = Date.UTC(2026, 2, 10, 12);
    const to = Date.UTC(2026, 3, 1);
    const rows = await run('Requests over time', { granularity: 'DAYS', api: 'All', from, to });
    const expected = events.filter(
      (e) => isResponse(e) && dayStart(requestMs(e)) >= from && requestMs(e) < to,
    );
    expect(rows.length).toBe(21);
    expect(total(rows, 'successful')).toBe(expected.length);
    const first = events.filter((e) => isResponse(e) && dayStart(requestMs(e)) === from + DAY_MS / 2);
    expect(num(rows[0], 'successful')).toBe(first.length);
  });

  it('ranks applications by requests (by application id) like the events do', async () => {
    const rows = await run('Top applications', all('DAYS'));
    const expected = countBy(events.filter(isResponse), (e) => String(e.applicationId));
    expect(rows.length).toBe(Math.min(10, expected.length));
    const top = events.find((e) => isResponse(e) && e.applicationId === expected[0]?.[0]);
    expect(rows[0]).toMatchObject({ application: top?.applicationName });
    expect(rows.map((r) => num(r, 'requests'))).toEqual(expected.slice(0, 10).map(([, n]) => n));
  });

  it('ranks APIs and resources like the events do, also for one picked API', async () => {
    const byApi = countBy(events.filter(isResponse), (e) => `${e.apiName} ${e.apiVersion}`);
    const rows = await run('Top 10 APIs', all('MONTHS'));
    expect(rows.map((r) => [r.API, num(r, 'successful')])).toEqual(byApi.slice(0, 10));
    const name = events.find((e) => `${e.apiName} ${e.apiVersion}` === byApi[0]?.[0])?.apiName as string;
    const [one] = await run('Requests in range', { ...all('HOURS'), api: [name] });
    expect(num(one, 'successful')).toBe(events.filter((e) => isResponse(e) && e.apiName === name).length);
    const resources = await run('Top resources', all('HOURS'));
    const byResource = countBy(
      events.filter(isResponse),
      (e) => `${e.apiName} ${e.apiMethod} ${e.apiResourceTemplate}`,
    );
    expect(num(resources[0], 'requests')).toBe(byResource[0]?.[1]);
  });

  it('counts faults per API with their rate, and throttling per reason', async () => {
    const rows = await run('Faults by API', all('DAYS'));
    expect(total(rows, 'faulty')).toBe(events.filter(isFault).length);
    const top = rows[0] as Row;
    const of = events.filter((e) => e.apiName === top.API && e.apiVersion === top.version);
    const faults = of.filter(isFault).length;
    expect(num(top, 'faulty')).toBe(faults);
    expect(num(top, 'fault rate %')).toBeCloseTo((100 * faults) / of.length, 2);
    const reasons = await run('Throttled out by reason', all('MONTHS'));
    const sums = new Map<string, number>();
    for (const r of reasons)
      sums.set(String(r.reason), (sums.get(String(r.reason)) ?? 0) + num(r, 'throttled out'));
    expect([...sums].sort()).toEqual(
      countBy(events.filter(isThrottled), (e) => String(e.errorMessage)).sort(),
    );
  });

  it('averages latencies per API like the events do', async () => {
    const rows = await run('Average latency per API (ms)', all('HOURS'));
    for (const row of rows) {
      const of = events.filter((e) => isResponse(e) && e.apiName === row.API && e.apiVersion === row.version);
      expect(num(row, 'requests')).toBe(of.length);
      expect(num(row, 'response')).toBeCloseTo(
        average(of, (e) => e.responseLatency ?? 0),
        1,
      );
      expect(num(row, 'backend')).toBeCloseTo(
        average(of, (e) => e.backendLatency ?? 0),
        1,
      );
      expect(num(row, 'request mediation')).toBeCloseTo(
        average(of, (e) => e.requestMediationLatency ?? 0),
        1,
      );
    }
  });

  it('shows the last access of every API and the browser split', async () => {
    const rows = await run('Last access per API', all('DAYS'));
    const last = new Map<string, number>();
    for (const e of events.filter(isResponse)) {
      const name = String(e.apiName);
      last.set(name, Math.max(last.get(name) ?? 0, requestMs(e)));
    }
    expect(new Map(rows.map((r) => [String(r.API), (r['last access'] as Date).getTime()]))).toEqual(last);
    const browsers = await run('Browsers', all('DAYS'));
    expect(browsers.map((r) => [r.browser, num(r, 'requests')])).toEqual(
      countBy(events.filter(isResponse), (e) => e.userAgent ?? 'UNKNOWN'),
    );
  });

  it.each([
    ['a misspelt column', (sql: string) => sql.replace('"AGG_SUM_successCount"', '"AGG_SUM_sucessCount"')],
    ['a misspelt table', (sql: string) => sql.replace('APIM_ReqCountAgg_', 'APIM_ReqCountAg_')],
    ['an unknown macro', (sql: string) => sql.replace('$__unixEpochTo()', '$__unixEpochToo()')],
    ['an unknown variable', (sql: string) => sql.replace('$api', '$apis')],
    [
      'int overflow of epoch seconds * 1000',
      (sql: string) => sql.replaceAll('()::bigint * 1000', '() * 1000'),
    ],
  ])('fails a query with %s', async (_what, mutate) => {
    const sql = mutate(panelQuery('Requests over time').sql);
    await expect(runPanelSql(client, sql, all('DAYS'))).rejects.toThrow();
  });
});
