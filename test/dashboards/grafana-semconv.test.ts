// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${datasource} is Grafana variable syntax under test
/**
 * The Grafana variant on OpenTelemetry's HTTP histogram (dashboards/grafana/dashboard-semconv.json):
 * Grafana's dashboard model, the metric contract, and what it shows. grafana-promql.test.ts
 * evaluates its queries with promtool as it does the main dashboard's.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { GRAFANA_SCHEMA_PATH } from '../../scripts/gen-grafana-schema.js';
import { queryableSeries } from './contract.js';
import { allPanels, dashboardQueries, loadDashboard, SEMCONV_DASHBOARD_PATH } from './grafana-expressions.js';
import { promqlReferences, templateVariables } from './promql.js';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const METRIC = 'http_server_request_duration_seconds';
const dashboard = loadDashboard(SEMCONV_DASHBOARD_PATH);
const main = loadDashboard();
const panels = allPanels(dashboard);
const visualisations = panels.filter((p) => p.type !== 'row');
const queries = dashboardQueries(dashboard);

describe('grafana semconv dashboard', () => {
  it("is a dashboard in Grafana's model, every panel a Panel", () => {
    const schema = JSON.parse(readFileSync(GRAFANA_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addSchema(schema, 'grafana');
    const whole = ajv.getSchema('grafana');
    const panel = ajv.getSchema('grafana#/definitions/Panel');
    expect(whole?.(dashboard), JSON.stringify(whole?.errors)).toBe(true);
    for (const p of visualisations)
      expect(panel?.(p), `${String(p.title)} ${JSON.stringify(panel?.errors)}`).toBe(true);
  });

  it('has its own uid and title, and datasource, job and route variables', () => {
    expect(dashboard.uid).toBe('gax-http-semconv');
    expect(dashboard.uid).not.toBe(main.uid);
    expect(dashboard.title).not.toBe(main.title);
    const vars = dashboard.templating?.list ?? [];
    expect(vars.map((v) => v.name)).toEqual(['datasource', 'job', 'route']);
    expect(vars[2]).toMatchObject({
      datasource: DATASOURCE,
      query: `label_values(${METRIC}_count{job=~"$job"}, http_route)`,
      includeAll: true,
      allValue: '.*',
    });
  });

  it.each(
    queries.map((q) => [q.where, q.expr] as const),
  )('queries only the OpenTelemetry histogram and its labels in %s', (_where, expr) => {
    const series = queryableSeries();
    const refs = promqlReferences(expr);
    expect(refs.anonymousSelectors).toBe(0);
    expect(refs.metrics.length).toBeGreaterThan(0);
    expect(refs.metrics.every((m) => m.startsWith(`${METRIC}_`))).toBe(true);
    for (const s of refs.selectors)
      expect(s.labels.filter((l) => !series.get(s.metric)?.labels.has(l))).toEqual([]);
    const known = new Set(refs.metrics.flatMap((m) => [...(series.get(m)?.labels ?? [])]));
    expect(refs.grouping.filter((l) => !known.has(l))).toEqual([]);
    expect(templateVariables(expr).filter((v) => !['job', 'route', '__rate_interval'].includes(v))).toEqual(
      [],
    );
  });

  it('shows request rate, the error ratio on error_type, and latency quantiles by route, method and status', () => {
    const exprs = queries.map((q) => q.expr).join('\n');
    expect(exprs).toContain('error_type!=""');
    for (const by of ['http_route', 'http_request_method', 'http_response_status_code'])
      expect(exprs).toMatch(new RegExp(`histogram_quantile\\(0\\.95, sum by \\(le, [^)]*${by}`));
    const titles = visualisations.map((p) => String(p.title));
    expect(titles).toEqual(
      expect.arrayContaining(['Requests / s', 'Error ratio', 'Latency p50 / p95 / p99']),
    );
  });

  it('queries ${datasource} everywhere and gives every panel a unique id', () => {
    for (const p of visualisations) {
      expect(p.datasource).toEqual(DATASOURCE);
      for (const t of p.targets ?? []) expect(t.datasource).toEqual(DATASOURCE);
    }
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('grafana main dashboard: rows for the opt-in labels', () => {
  const rows = (main.panels ?? []).filter((p) => p.type === 'row');

  it.each([
    ['Devices', ['platform', 'user_agent']],
    ['Backends', ['destination', 'target_status_code']],
    ['Target errors', ['target_status_code', 'error_message']],
    ['Tenants and owners', ['tenant', 'region', 'api_creator', 'application_owner']],
  ])('%s is collapsed (no query runs, no empty panel shows) and each panel filters on its opt-in label', (title, labels) => {
    const row = rows.find((r) => String(r.title).startsWith(`${title} (opt-in labels`));
    expect(row?.collapsed).toBe(true);
    const inner = row?.panels ?? [];
    expect(inner.length).toBeGreaterThan(0);
    for (const p of inner) {
      const exprs = (p.targets ?? []).map((t) => String(t.expr));
      expect(exprs.some((e) => labels.some((l) => e.includes(`${l}!=""`) || e.includes(`${l}=~`)))).toBe(
        true,
      );
    }
  });

  it('has AI per API and AI latency rows on metrics every instance exposes', () => {
    for (const title of ['AI per API', 'AI latency']) expect(rows.map((r) => r.title)).toContain(title);
  });
});
