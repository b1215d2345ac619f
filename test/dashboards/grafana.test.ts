// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${datasource} is Grafana variable syntax under test
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { GRAFANA_SCHEMA_PATH, renderGrafanaSchema } from '../../scripts/gen-grafana-schema.js';
import { CONTRACT_METRICS, queryableSeries, seriesNames } from './contract.js';
import { allPanels, type DashboardPanel, dashboardQueries, loadDashboard } from './grafana-expressions.js';
import { promqlReferences, templateVariables } from './promql.js';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
/** Variables a query may use: the dashboard's own and Grafana's built-in interval variables. */
const ALLOWED_VARIABLES = ['job', 'api', '__rate_interval', '__range'];
/**
 * Keys of Grafana's "Export for sharing externally" files. Not in the dashboard model (the schema
 * rejects them) and their `${DS_...}` inputs cannot be resolved by file provisioning.
 */
const EXPORT_ONLY_KEYS = ['__inputs', '__requires', '__elements'];

const dashboard = loadDashboard();
const panels = allPanels(dashboard);
const visualisations = panels.filter((p) => p.type !== 'row');
const queries = dashboardQueries(dashboard);
const label = (p: DashboardPanel) => `${String(p.id)} ${String(p.title)}`;

function validator(): { dashboard: ValidateFunction; panel: ValidateFunction } {
  const schema = JSON.parse(readFileSync(GRAFANA_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: true });
  ajv.addSchema(schema, 'grafana');
  const get = (ref: string) => {
    const fn = ajv.getSchema(ref);
    if (fn === undefined) throw new Error(`no ${ref} in the schema`);
    return fn;
  };
  return { dashboard: get('grafana'), panel: get('grafana#/definitions/Panel') };
}

describe('grafana dashboard schema', () => {
  const validate = validator();

  it('is up to date with the Dashboard type of @grafana/schema', () => {
    expect(readFileSync(GRAFANA_SCHEMA_PATH, 'utf8')).toBe(renderGrafanaSchema());
  });

  it('passes the generator check from the command line', () => {
    const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
    const script = fileURLToPath(new URL('../../scripts/gen-grafana-schema.ts', import.meta.url));
    const result = spawnSync(process.execPath, [tsx, script, '--check'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('accepts the bundled dashboard', () => {
    const ok = validate.dashboard(dashboard);
    expect(validate.dashboard.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it.each(
    visualisations.map((p) => [label(p), p] as const),
  )('accepts panel %s as a Panel', (_name, panel) => {
    const ok = validate.panel(panel);
    expect(validate.panel.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it.each([
    ['an unknown panel key', (p: Record<string, unknown>) => Object.assign(p, { datasourceUid: 'x' })],
    [
      'a gridPos without h',
      (p: Record<string, unknown>) => Object.assign(p, { gridPos: { x: 0, y: 0, w: 6 } }),
    ],
    ['a non-string title', (p: Record<string, unknown>) => Object.assign(p, { title: 5 })],
    [
      'fieldConfig without overrides',
      (p: Record<string, unknown>) => Object.assign(p, { fieldConfig: { defaults: {} } }),
    ],
  ])('rejects a dashboard whose panel has %s', (_what, mutate) => {
    const copy = structuredClone(dashboard) as { panels: Record<string, unknown>[] };
    const index = copy.panels.findIndex((p) => p.type !== 'row');
    mutate(copy.panels[index] as Record<string, unknown>);
    expect(validate.dashboard(copy)).toBe(false);
  });
});

describe('grafana dashboard', () => {
  it('has the title, uid, tags, time range and refresh it is documented with', () => {
    expect(dashboard).toMatchObject({
      title: 'API gateway analytics (gax)',
      uid: 'gax-apim-gateway',
      time: { from: 'now-6h', to: 'now' },
      refresh: '30s',
    });
    expect(dashboard.tags).toEqual(expect.arrayContaining(['gax', 'wso2', 'apim', 'prometheus']));
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
  });

  it('is a plain dashboard model, not an export for sharing externally', () => {
    expect(EXPORT_ONLY_KEYS.filter((k) => k in dashboard)).toEqual([]);
    expect(JSON.stringify(dashboard)).not.toContain('${DS_');
  });

  it('has a Prometheus data source variable and job and api variables that query through it', () => {
    const vars = dashboard.templating?.list ?? [];
    expect(vars.map((v) => v.name)).toEqual(['datasource', 'job', 'api']);
    expect(vars[0]).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(vars[1]).toMatchObject({ type: 'query', datasource: DATASOURCE, includeAll: true, multi: true });
    expect(vars[2]).toMatchObject({
      type: 'query',
      datasource: DATASOURCE,
      query: 'label_values(apim_requests_total{job=~"$job"}, api)',
      includeAll: true,
      multi: true,
      allValue: '.*',
    });
  });

  it.each(
    visualisations.map((p) => [label(p), p] as const),
  )('queries ${datasource} in panel %s and in each of its targets', (_name, panel) => {
    expect(panel.datasource).toEqual(DATASOURCE);
    expect(panel.targets?.length ?? 0).toBeGreaterThan(0);
    for (const target of panel.targets ?? []) expect(target.datasource).toEqual(DATASOURCE);
  });

  it('hard-codes no data source uid anywhere', () => {
    const uids: string[] = [];
    JSON.stringify(dashboard, (key, value: unknown) => {
      if (key === 'datasource' && typeof value === 'object' && value !== null && 'uid' in value) {
        uids.push(String(value.uid));
      }
      return value;
    });
    // The built-in "Annotations & Alerts" query uses Grafana's own pseudo data source.
    expect(new Set(uids)).toEqual(new Set(['${datasource}', '-- Grafana --']));
  });

  it.each(
    queries.map((q) => [q.where, q.expr] as const),
  )('uses only contract metrics and their labels in %s', (_where, expr) => {
    const series = queryableSeries();
    const refs = promqlReferences(expr);
    expect(refs.anonymousSelectors).toBe(0);
    expect(refs.metrics.length).toBeGreaterThan(0);
    expect(refs.metrics.filter((m) => !series.has(m))).toEqual([]);
    for (const s of refs.selectors) {
      expect(
        s.labels.filter((l) => !series.get(s.metric)?.labels.has(l)),
        s.metric,
      ).toEqual([]);
    }
    const known = new Set(refs.metrics.flatMap((m) => [...(series.get(m)?.labels ?? [])]));
    expect(refs.grouping.filter((l) => !known.has(l))).toEqual([]);
  });

  it.each(
    queries.map((q) => [q.where, q.expr] as const),
  )('uses only the $job, $api, $__rate_interval and $__range variables in %s', (_where, expr) => {
    expect(templateVariables(expr).filter((v) => !ALLOWED_VARIABLES.includes(v))).toEqual([]);
  });

  it('shows every apim_* metric of the contract and up in at least one panel', () => {
    const used = new Set(queries.flatMap((q) => promqlReferences(q.expr).metrics));
    // OpenTelemetry's http_* histogram has its own dashboard (grafana-semconv.test.ts).
    const missing = CONTRACT_METRICS.filter((m) => !m.startsWith('gax_') && !m.startsWith('http_')).filter(
      (m) => !seriesNames(m).some((s) => used.has(s)),
    );
    expect(missing).toEqual([]);
  });

  it('shows every gax_* metric of the contract in the Exporter health row', () => {
    const top = dashboard.panels ?? [];
    const start = top.findIndex((p) => p.type === 'row' && p.title === 'Exporter health');
    expect(start).toBeGreaterThanOrEqual(0);
    const end = top.findIndex((p, i) => i > start && p.type === 'row');
    const row = top.slice(start + 1, end === -1 ? undefined : end);
    const used = new Set(
      row.flatMap((p) => (p.targets ?? []).flatMap((t) => promqlReferences(String(t.expr)).metrics)),
    );
    expect(CONTRACT_METRICS.filter((m) => m.startsWith('gax_') && !used.has(m))).toEqual([]);
  });

  it('gives every panel a unique id', () => {
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lays panels out on the 24-column grid without overlaps', () => {
    const boxes = (dashboard.panels ?? []).map((p) => ({ name: label(p), ...p.gridPos }));
    for (const b of boxes) {
      expect(b, b.name).toMatchObject({ x: expect.any(Number), y: expect.any(Number) });
      expect((b.x ?? 0) + (b.w ?? 0), b.name).toBeLessThanOrEqual(24);
      expect(b.w ?? 0, b.name).toBeGreaterThan(0);
      expect(b.h ?? 0, b.name).toBeGreaterThan(0);
    }
    const overlaps: string[] = [];
    boxes.forEach((a, i) => {
      for (const b of boxes.slice(i + 1)) {
        const ax = a.x ?? 0;
        const ay = a.y ?? 0;
        const bx = b.x ?? 0;
        const by = b.y ?? 0;
        const apart =
          ax + (a.w ?? 0) <= bx || bx + (b.w ?? 0) <= ax || ay + (a.h ?? 0) <= by || by + (b.h ?? 0) <= ay;
        if (!apart) overlaps.push(`${a.name} / ${b.name}`);
      }
    });
    expect(overlaps).toEqual([]);
  });
});
