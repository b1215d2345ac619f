import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATADOG_METRICS, type DatadogMetric } from '../../plugins/datadog/metrics.js';
import {
  BUNDLED_DATADOG_PREFIX,
  dashboardKey,
  loadDatadogBundle,
  MANAGED_BY_TAG,
  monitorKey,
  withDatadogPrefix,
} from '../../plugins/datadog/setup/bundle.js';
import { ERROR_RATIO_MIN_REQUESTS } from '../../scripts/datadog/monitors.js';
import { DATADOG_DIR, REGENERATE_DATADOG, staleDatadogFiles } from '../../scripts/gen-datadog.js';
import { clientRoundTrip, datadogValidator } from '../helpers/datadog-spec.js';
import {
  declaredOptIn,
  expectedScalarAggregator,
  formulaNames,
  headingAnchor,
  leafDefinitions,
  optInTagsUsed,
  parseMetricQueries,
  queryProblems,
  widgetRequests,
} from './datadog-queries.js';

type Json = Record<string, unknown>;

const files = readdirSync(DATADOG_DIR)
  .filter((f) => /^dashboard-.+\.json$/.test(f))
  .sort();
const dashboards = files.map((file) => ({
  file,
  body: JSON.parse(readFileSync(join(DATADOG_DIR, file), 'utf8')) as Json,
}));
const monitors = JSON.parse(readFileSync(join(DATADOG_DIR, 'monitors.json'), 'utf8')) as Json[];
const validateDashboard = datadogValidator('Dashboard');
const validateMonitor = datadogValidator('Monitor');

function templateVars(dashboard: Json): Map<string, string> {
  const vars = (dashboard.template_variables as { name: string; prefix: string }[] | undefined) ?? [];
  return new Map(vars.map((v) => [v.name, v.prefix]));
}

/** Problems of every metric query of `dashboard` for `prefix`. */
function dashboardQueryProblems(
  dashboard: Json,
  prefix = BUNDLED_DATADOG_PREFIX,
  tagSet: 'tags' | 'defaultTags' = 'tags',
): string[] {
  const vars = templateVars(dashboard);
  const problems: string[] = [];
  const { queries, requests } = widgetRequests(dashboard);
  for (const w of queries) {
    const parsed = parseMetricQueries(w.query);
    const where = `${w.widget} / ${w.name}`;
    if (parsed.length !== 1 || parsed[0]?.text !== w.query) {
      problems.push(`${where}: not one metric query: ${w.query}`);
      continue;
    }
    const q = parsed[0];
    problems.push(...queryProblems(q, prefix, vars, tagSet).map((p) => `${where}: ${p}`));
    if ((q.space === 'histogram') !== (w.kind === 'histogram'))
      problems.push(`${where}: histogram: belongs in (only) a distribution widget's query`);
    const expected = expectedScalarAggregator(q);
    if (w.aggregator !== undefined && expected !== undefined && w.aggregator !== expected)
      problems.push(`${where}: aggregator ${w.aggregator}, expected ${expected}`);
  }
  for (const r of requests) {
    if (r.deprecatedKeys.length > 0) problems.push(`${r.widget}: deprecated ${r.deprecatedKeys.join(', ')}`);
    for (const f of r.formulas) {
      for (const n of formulaNames(f))
        if (!r.queryNames.includes(n)) problems.push(`${r.widget}: formula ${f} refers to no query ${n}`);
    }
  }
  return problems;
}

describe('bundled Datadog dashboards', () => {
  it('are the files scripts/gen-datadog.ts generates', async () => {
    const stale = await staleDatadogFiles();
    expect(stale, `dashboards/datadog/ is out of date: run ${REGENERATE_DATADOG}`).toEqual([]);
  });

  it.each(dashboards)('$file validates against the Dashboard schema and the client', ({ body }) => {
    expect(validateDashboard(body)).toEqual([]);
    expect(clientRoundTrip('Dashboard', body)).toEqual([]);
  });

  it.each(dashboards)('$file carries its gax key and an ordered layout of groups', ({ file, body }) => {
    expect(`dashboard-${dashboardKey(body.description)}.json`).toBe(file);
    expect(body.layout_type).toBe('ordered');
    expect(body.reflow_type).toBe('fixed');
    for (const w of body.widgets as Json[]) {
      expect((w.definition as Json).type).toBe('group');
      expect(w.layout).toBeDefined();
    }
    expect(leafDefinitions(body).length).toBeGreaterThan(0);
  });

  it.each(dashboards)('$file queries only contract metrics, tags and aggregators', ({ body }) => {
    expect(dashboardQueryProblems(body)).toEqual([]);
  });

  it.each(dashboards)('$file groups and filters by an opt-in tag only where the widget says so', ({
    body,
  }) => {
    // A widget on an opt-in tag shows one N/A group (or nothing) with the default tag allow-lists:
    // its description must name every opt-in tag it needs, per metric, and nothing more.
    const problems: string[] = [];
    for (const def of leafDefinitions(body)) {
      const widget = String(def.title);
      const used = optInTagsUsed(widgetRequests({ widgets: [{ definition: def }] }).queries);
      const declared = declaredOptIn(String(def.description));
      expect(declared, widget).toEqual(used);
      for (const [metric, tags] of declared) {
        const spec = DATADOG_METRICS[metric as DatadogMetric];
        for (const tag of tags) {
          if (!(spec.tags as readonly string[]).includes(tag))
            problems.push(`${widget}: ${metric} has no tag ${tag}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('would catch a widget on an opt-in tag that does not say so, or says so without needing it', () => {
    const widget = (description: string, query: string) => ({
      type: 'timeseries',
      title: 't',
      description,
      requests: [{ queries: [{ name: 'a', query }], formulas: [{ formula: 'a' }] }],
    });
    const check = (def: Json) => [
      optInTagsUsed(widgetRequests({ widgets: [{ definition: def }] }).queries),
      declaredOptIn(String(def.description)),
    ];
    const [used, declared] = check(widget('Requests.', 'sum:apim.requests{*} by {platform}.as_count()'));
    expect(used).toEqual(new Map([['requests', ['platform']]]));
    expect(declared).not.toEqual(used);
    const [used2, declared2] = check(
      widget(
        'Requests. Needs the opt-in tag `platform` on `requests` (`plugins.datadog.tags.requests`).',
        'sum:apim.requests{*} by {api}.as_count()',
      ),
    );
    expect(declared2).not.toEqual(used2);
  });

  it.each(dashboards)('$file filters every query by env and service', ({ body }) => {
    expect([...templateVars(body).values()]).toEqual(expect.arrayContaining(['env', 'service']));
    for (const w of widgetRequests(body).queries) {
      expect(parseMetricQueries(w.query)[0]?.filter, w.widget).toEqual(
        expect.arrayContaining(['$env', '$service']),
      );
    }
  });

  it('has the dashboards the brief names, with the variables of a per-API drill-down', () => {
    const byKey = new Map(dashboards.map((d) => [dashboardKey(d.body.description), d.body]));
    expect([...byKey.keys()].sort()).toEqual([
      'ai',
      'api',
      'backends',
      'consumers',
      'devices',
      'errors',
      'latency',
      'overview',
    ]);
    expect([...templateVars(byKey.get('api') as Json).keys()].sort()).toEqual([
      'api',
      'api_version',
      'env',
      'service',
    ]);
    const latency = widgetRequests(byKey.get('latency') as Json).queries.map((q) => q.query);
    for (const p of ['p50', 'p95', 'p99'])
      for (const m of ['latency.response', 'latency.backend'])
        expect(latency.some((q) => q.startsWith(`${p}:apim.${m}{`))).toBe(true);
  });

  it('show every metric of the Datadog plugin', () => {
    const used = new Set(
      dashboards.flatMap((d) =>
        widgetRequests(d.body).queries.flatMap((q) => parseMetricQueries(q.query).map((p) => p.metric)),
      ),
    );
    expect([...used].sort()).toEqual(
      Object.keys(DATADOG_METRICS)
        .map((m) => `apim.${m}`)
        .sort(),
    );
  });

  it('would catch a query on a tag the metric does not carry', () => {
    const bad = {
      template_variables: [{ name: 'code', prefix: 'status_code' }],
      widgets: [
        {
          definition: {
            type: 'timeseries',
            title: 't',
            requests: [
              {
                queries: [
                  { name: 'a', query: 'sum:apim.ai.tokens{$code} by {status_code}.as_count()' },
                  { name: 'b', query: 'avg:apim.requests{*}' },
                  { name: 'c', query: 'p99:apim.latency.response{status_code:500}' },
                ],
                formulas: [{ formula: 'a + d' }],
              },
            ],
          },
        },
      ],
    };
    const problems = dashboardQueryProblems(bad).join('\n');
    expect(problems).toContain('$code filters on status_code, which ai.tokens does not carry');
    expect(problems).toContain('by status_code, which ai.tokens does not carry');
    expect(problems).toContain('a count is aggregated with sum:, not avg:');
    expect(problems).toContain('a count needs .as_count() or .as_rate()');
    expect(problems).toContain('filter on status_code, which latency.response does not carry');
    expect(problems).toContain('refers to no query d');
  });
});

describe('bundled Datadog monitors', () => {
  const operations = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
  const anchors = new Set([...operations.matchAll(/^#+\s+(.+)$/gm)].map((m) => headingAnchor(m[1] ?? '')));

  it.each(
    monitors.map((m) => [m.name, m]),
  )('%s validates against the Monitor schema and the client', (_n, m) => {
    expect(validateMonitor(m)).toEqual([]);
    expect(clientRoundTrip('Monitor', m)).toEqual([]);
  });

  it.each(monitors.map((m) => [m.name, m]))('%s queries only contract metrics and tags', (_n, m) => {
    const query = String(m.query);
    const parsed = parseMetricQueries(query);
    expect(parsed.length).toBeGreaterThan(0);
    expect(parsed.flatMap((q) => queryProblems(q, BUNDLED_DATADOG_PREFIX, new Map(), 'defaultTags'))).toEqual(
      [],
    );
    let rest = query;
    for (const q of parsed) rest = rest.replace(q.text, 'Q');
    const shape =
      /^(sum|avg|max|min|percentile)\(last_\d+[mh]\):(Q|Q \/ Q|\(default_zero\(Q\) \+ default_zero\(Q\)\) \/ clamp_min\(Q, \d+\)) ([<>]=?) (-?[\d.]+)$/.exec(
        rest,
      );
    expect(shape, `${query} reduces to ${rest}`).not.toBeNull();
    if (shape?.[1] === 'percentile') expect(parsed.every((q) => /^p\d+$/.test(q.space))).toBe(true);
    expect((m.options as { thresholds: { critical: number } }).thresholds.critical).toBe(Number(shape?.[4]));
  });

  it.each(monitors.map((m) => [m.name, m]))('%s is tagged for gax and links an existing runbook', (_n, m) => {
    expect(m.tags).toContain(MANAGED_BY_TAG);
    expect(monitorKey(m.tags)).toBeDefined();
    const links = [...String(m.message).matchAll(/docs\/operations\.md#([a-z0-9-]+)/g)].map((x) => x[1]);
    expect(links.length).toBeGreaterThan(0);
    for (const a of links) expect(anchors, `docs/operations.md has no heading for #${a}`).toContain(a);
  });

  it('has an error-ratio, a p99-latency and a no-data monitor', () => {
    const byKey = new Map(monitors.map((m) => [monitorKey(m.tags), m]));
    expect(String(byKey.get('api-error-ratio')?.query)).toMatch(/^sum\(last_10m\):.+ > 0\.05$/);
    expect(String(byKey.get('api-latency-p99')?.query)).toContain('p99:apim.latency.response{*} by {api}');
    const noData = byKey.get('exporter-no-data');
    expect(String(noData?.query)).toContain('sum:apim.requests{');
    expect(noData?.options).toMatchObject({ notify_no_data: true, no_data_timeframe: expect.any(Number) });
  });

  it('counts errors in the error-ratio monitor exactly as the dashboards do', () => {
    // The dashboards' "Error ratio" widgets: `(default_zero(faults) + default_zero(fivexx)) / requests`.
    const ratioWidgets = dashboards.flatMap((d) =>
      widgetRequests(d.body).requests.filter((r) => r.widget.startsWith('Error ratio')),
    );
    expect(ratioWidgets.length).toBeGreaterThan(0);
    /** A query's metric and its filters other than template variables, e.g. `apim.requests{event_type:response,status_code:5*}`. */
    const sense = (text: string): string[] =>
      parseMetricQueries(text).map((q) => {
        const filter = q.filter.filter((f) => !f.startsWith('$') && f !== '*');
        return `${q.space}:${q.metric}{${filter.join(',')}}${q.modifiers.map((x) => `.${x}()`).join('')}`;
      });
    const dashboardQueries = widgetRequests({
      widgets: dashboards.flatMap((d) => d.body.widgets as Json[]),
    }).queries;
    for (const r of ratioWidgets) {
      expect(r.formulas, r.widget).toContain(
        '100 * (default_zero(faults) + default_zero(fivexx)) / requests',
      );
    }
    const named = (name: string): Set<string> =>
      new Set(
        dashboardQueries
          .filter((q) => q.widget.startsWith('Error ratio') && q.name === name)
          .flatMap((q) => sense(q.query)),
      );
    const [faults, fivexx, requests] = ['faults', 'fivexx', 'requests'].map(named);
    for (const set of [faults, fivexx, requests]) expect(set?.size).toBe(1);
    const monitor = String(monitors.find((m) => monitorKey(m.tags) === 'api-error-ratio')?.query);
    const [numerator, denominator] = monitor.split(' / ');
    // Errors: faults plus 5xx responses, each defaulting to zero, as in the dashboards' formula.
    expect(sense(numerator ?? '')).toEqual([...(faults ?? []), ...(fivexx ?? [])]);
    expect(numerator).toMatch(/^sum\(last_10m\):\(default_zero\(.+\) \+ default_zero\(.+\)\)$/);
    expect([...(fivexx ?? [])]).toEqual(['sum:apim.requests{event_type:response,status_code:5*}.as_count()']);
    expect(sense(denominator ?? '')).toEqual([...(requests ?? [])]);
  });

  it('has a traffic floor on the error-ratio monitor, documented in the README', () => {
    const monitor = monitors.find((m) => monitorKey(m.tags) === 'api-error-ratio');
    const floor = / \/ clamp_min\(sum:apim\.requests\{\*\} by \{api\}\.as_count\(\), (\d+)\) > /.exec(
      String(monitor?.query),
    );
    expect(floor, String(monitor?.query)).not.toBeNull();
    expect(Number(floor?.[1])).toBe(ERROR_RATIO_MIN_REQUESTS);
    // At 1 error in the floor's window the ratio stays under the threshold: one error at night is quiet.
    const critical = (monitor?.options as { thresholds: { critical: number } }).thresholds.critical;
    expect(1 / ERROR_RATIO_MIN_REQUESTS).toBeLessThan(critical);
    expect(ERROR_RATIO_MIN_REQUESTS).toBeGreaterThanOrEqual(20);
    const readme = readFileSync(join(DATADOG_DIR, 'README.md'), 'utf8');
    expect(readme).toContain(`as at least ${ERROR_RATIO_MIN_REQUESTS} (\`clamp_min\`)`);
  });

  it('has unique gax keys across dashboards and monitors', () => {
    const keys = [
      ...dashboards.map((d) => dashboardKey(d.body.description)),
      ...monitors.map((m) => monitorKey(m.tags)),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('the metric prefix', () => {
  it('is rewritten in every query, and only there, for another prefix', async () => {
    const bundle = await loadDatadogBundle('acme.gw.', DATADOG_DIR);
    for (const d of bundle.dashboards) {
      expect(dashboardQueryProblems(d.body, 'acme.gw.')).toEqual([]);
      expect(JSON.stringify(d.body)).not.toMatch(/:apim\./);
      expect(d.body.description).toBe(
        dashboards.find((x) => dashboardKey(x.body.description) === d.key)?.body.description,
      );
    }
    for (const m of bundle.monitors) {
      for (const q of parseMetricQueries(String(m.body.query))) expect(q.metric).toMatch(/^acme\.gw\./);
    }
  });

  it('leaves text that is not a metric query alone', () => {
    expect(withDatadogPrefix({ a: 'see apim.requests', b: 'sum:apim.requests{*}' }, 'x.')).toEqual({
      a: 'see apim.requests',
      b: 'sum:x.requests{*}',
    });
  });
});
