import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  dashboardExpressions,
  dashboardQueries,
  loadDashboard,
  SEMCONV_DASHBOARD_PATH,
} from './grafana-expressions.js';
import { ensurePrometheus, promtool } from './promtool.js';

/**
 * promtool 2.42 has no offline PromQL parser command (`promtool query` needs a server), but
 * `check rules` parses every rule expression and `test rules` evaluates expressions against
 * input series. So each dashboard query (variables substituted) becomes a recording rule, and a
 * unit test evaluates every query against an hour of synthetic gax metrics: each must return at
 * least one sample that is not NaN. A real-server run of the same queries is left to the
 * integration test (dashboardExpressions()).
 */

const SCRAPE = 'job="gax", instance="gw1:9464"';
const STEPS = 240; // one hour at a 15 s scrape interval
const LATENCY_LE = [
  '0.005',
  '0.01',
  '0.025',
  '0.05',
  '0.1',
  '0.25',
  '0.5',
  '1',
  '2.5',
  '5',
  '10',
  '30',
  '+Inf',
];
const SEMCONV_LE = [
  '0.005',
  '0.01',
  '0.025',
  '0.05',
  '0.075',
  '0.1',
  '0.25',
  '0.5',
  '0.75',
  '1',
  '2.5',
  '5',
  '7.5',
  '10',
  '+Inf',
];
const SIZE_LE = ['100', '1000', '10000', '100000', '1000000', '10000000', '+Inf'];

type Series = { series: string; values: string };

const counter = (name: string, labels: string, perStep: number): Series => ({
  series: `${name}{${SCRAPE}, ${labels}}`,
  values: `0+${perStep}x${STEPS}`,
});
const gauge = (name: string, labels: string, values: string): Series => ({
  series: `${name}{${SCRAPE}${labels === '' ? '' : `, ${labels}`}}`,
  values,
});

/** A histogram whose observations spread over the buckets from `first` on (cumulative counts). */
function histogram(
  name: string,
  labels: string,
  le: readonly string[],
  first: number,
  sumPerStep: number,
): Series[] {
  const buckets = le.map((bound, i) =>
    counter(`${name}_bucket`, `${labels}, le="${bound}"`, Math.max(0, i - first + 1)),
  );
  const total = Math.max(0, le.length - first);
  return [...buckets, counter(`${name}_sum`, labels, sumPerStep), counter(`${name}_count`, labels, total)];
}

function inputSeries(): Series[] {
  const out: Series[] = [];
  for (const [api, resource] of [
    ['PizzaShackAPI', '/menu'],
    ['WeatherAPI', '/forecast/{city}'],
  ] as const) {
    const route = `api="${api}", api_version="1.0.0", method="GET", resource="${resource}"`;
    // The opt-in labels on (labels.*), as an instance with them enabled exposes them.
    const destination = `destination="https://${api.toLowerCase()}.backend.internal/v1"`;
    const device = `platform="Mac OS X", user_agent="Chrome", tenant="carbon.super", region="default", api_creator="admin", application_owner="alice"`;
    for (const [status, event, key, n] of [
      ['200', 'response', 'PRODUCTION', 20],
      ['200', 'response', 'SANDBOX', 2],
      ['404', 'response', 'PRODUCTION', 1],
      ['503', 'response', 'PRODUCTION', 1],
      ['429', 'faulty', 'PRODUCTION', 1],
      ['401', 'faulty', 'PRODUCTION', 1],
    ] as const) {
      out.push(
        counter(
          'apim_requests_total',
          `${route}, status_code="${status}", event_type="${event}", key_type="${key}", ${destination}, target_status_code="${event === 'faulty' ? '-1' : status}", ${device}`,
          n,
        ),
      );
    }
    out.push(...histogram('apim_request_duration_seconds', route, LATENCY_LE, 4, 3));
    out.push(...histogram('apim_backend_duration_seconds', `${route}, ${destination}`, LATENCY_LE, 3, 2));
    for (const direction of ['request', 'response']) {
      out.push(
        ...histogram(
          'apim_mediation_duration_seconds',
          `${route}, direction="${direction}"`,
          LATENCY_LE,
          1,
          1,
        ),
      );
    }
    const version = `api="${api}", api_version="1.0.0"`;
    out.push(
      counter(
        'apim_errors_total',
        `${version}, error_type="THROTTLED", error_code="900803", error_message="Application level throttle out"`,
        1,
      ),
    );
    out.push(
      counter(
        'apim_errors_total',
        `${version}, error_type="AUTH", error_code="900901", error_message="Invalid credentials"`,
        1,
      ),
    );
    // OpenTelemetry's HTTP histogram (semconv.http), for the semconv dashboard.
    const http = `http_request_method="GET", http_route="/${api.toLowerCase()}/1.0.0${resource}"`;
    for (const [status, error] of [
      ['200', ''],
      ['503', '503'],
      ['429', 'THROTTLED'],
    ] as const) {
      out.push(
        ...histogram(
          'http_server_request_duration_seconds',
          `${http}, http_response_status_code="${status}", error_type="${error}"`,
          SEMCONV_LE,
          status === '200' ? 3 : 5,
          status === '200' ? 2 : 1,
        ),
      );
    }
    out.push(counter('apim_cache_hits_total', version, 5));
    out.push(...histogram('apim_response_size_bytes', version, SIZE_LE, 2, 40_000));
  }
  for (const [api, vendor, model] of [
    ['OpenAIProxy', 'OpenAI', 'gpt-4o'],
    ['MistralProxy', 'MistralAI', 'mistral-small-latest'],
  ] as const) {
    const ai = `api="${api}", vendor="${vendor}", model="${model}"`;
    out.push(counter('apim_ai_tokens_total', `${ai}, token_type="prompt"`, 300));
    out.push(counter('apim_ai_tokens_total', `${ai}, token_type="completion"`, 120));
    out.push(counter('apim_ai_tokens_total', `${ai}, token_type="other"`, 30));
    out.push(counter('apim_ai_requests_total', `${ai}, status_code="200"`, 2));
    out.push(counter('apim_ai_requests_total', `${ai}, status_code="429"`, 1));
    out.push(...histogram('apim_ai_request_duration_seconds', ai, LATENCY_LE, 7, 5));
  }
  const file = 'file="/opt/wso2am/repository/logs/apim_metrics.log"';
  for (const plugin of ['prometheus', 'elasticsearch']) {
    const p = `plugin="${plugin}"`;
    out.push(gauge('gax_input_lag_seconds', `${p}, ${file}`, `0 2 0 5x${STEPS - 3}`));
    out.push(gauge('gax_input_lag_bytes', `${p}, ${file}`, `0+64x${STEPS}`));
    out.push(counter('gax_lines_read_total', p, 60));
    out.push(counter('gax_events_delivered_total', p, 58));
    out.push(counter('gax_lines_rejected_total', `${p}, reason="invalid_json"`, 1));
    out.push(counter('gax_events_dead_lettered_total', `${p}, kind="rejected"`, 1));
    out.push(gauge('gax_plugin_up', p, `1x${STEPS}`));
    out.push(counter('gax_input_read_errors_total', `${p}, code="ESTALE"`, 1));
  }
  out.push(gauge('gax_checkpoint_write_failures', '', `0 1 2 0x${STEPS - 3}`));
  for (const metric of ['apim_requests_total', 'apim_errors_total']) {
    out.push(gauge('gax_prometheus_series', `metric="${metric}"`, `10+1x${STEPS}`));
    out.push(counter('gax_prometheus_series_overflow_total', `metric="${metric}"`, 0));
  }
  out.push(gauge('up', '', `1x${STEPS}`));
  return out;
}

// Both bundled Prometheus dashboards: the main one and the OpenTelemetry (semconv) variant.
const semconv = loadDashboard(SEMCONV_DASHBOARD_PATH);
const queries = [
  ...dashboardQueries(),
  ...dashboardQueries(semconv).map((q) => ({ ...q, where: `semconv ${q.where}` })),
];
const expressions = [...dashboardExpressions(), ...dashboardExpressions({}, semconv)];
const record = (i: number) => `gax_dashboard:query_${i}`;

describe('grafana dashboard PromQL with promtool', () => {
  let dir = '';
  beforeAll(async () => {
    await ensurePrometheus();
    dir = mkdtempSync(join(tmpdir(), 'gax-dashboard-promql-'));
    const rules = {
      groups: [{ name: 'dashboard', rules: expressions.map((expr, i) => ({ record: record(i), expr })) }],
    };
    writeFileSync(join(dir, 'dashboard-rules.yaml'), stringify(rules));
    const tests = {
      rule_files: ['dashboard-rules.yaml'],
      evaluation_interval: '15s',
      tests: [
        {
          interval: '15s',
          input_series: inputSeries(),
          promql_expr_test: expressions.map((_expr, i) => ({
            expr: `count(${record(i)} >= -Inf) > bool 0`,
            eval_time: '60m',
            exp_samples: [{ labels: '{}', value: 1 }],
          })),
        },
      ],
    };
    writeFileSync(join(dir, 'dashboard-rules.test.yaml'), stringify(tests, { lineWidth: 0 }));
  }, 900_000);
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('parses every dashboard query (promtool check rules)', () => {
    const result = promtool(['check', 'rules', join(dir, 'dashboard-rules.yaml')]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`SUCCESS: ${expressions.length} rules found`);
  });

  it('gets at least one non-NaN sample from every dashboard query on synthetic gax metrics', () => {
    const result = promtool(['test', 'rules', 'dashboard-rules.test.yaml'], { cwd: dir });
    const output = `${result.stdout}${result.stderr}`;
    const failed = queries
      .map((q, i) => ({ rule: record(i), query: `${q.where}: ${expressions[i]}` }))
      .filter(({ rule }) => new RegExp(`${rule}(?![0-9])`).test(output))
      .map(({ query }) => query);
    expect(failed).toEqual([]);
    expect(output).not.toContain('FAILED');
    expect(result.status).toBe(0);
  });
});
