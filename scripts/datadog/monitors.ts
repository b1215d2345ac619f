/**
 * The bundled monitors (v1 Monitor API). Each is tagged `managed-by:gax` and `gax-id:<key>`;
 * `gax setup datadog` finds them again by that key.
 */
import { type Json, MANAGED_BY_TAG, monitorKeyTag } from '../../plugins/datadog/setup/bundle.js';
import { ERROR_RATIO_PERCENT, errorQueries, LATENCY_SLO_MS } from './common.js';
import { countOf, percentileOf } from './query.js';

/** Runbooks, relative to the gax documentation root (as in the Prometheus rules). */
export const RUNBOOKS = 'docs/operations.md';

export interface MonitorSpec {
  readonly key: string;
  readonly name: string;
  readonly query: string;
  /** One line for the README: when it alerts. */
  readonly fires: string;
  readonly message: string;
  readonly runbook: string;
  readonly options: Json;
}

/** Monitors see every environment: no template variables, `{*}`. */
const none = [] as const;
const WINDOW = 'last_10m';
const FOOTER =
  'Managed by gax (`gax setup datadog` resets changes made here): route notifications with Datadog notification rules on the tag `managed-by:gax` rather than @-mentions in this message.';

/**
 * Requests an API needs in the window before its error ratio can alert: the ratio's denominator is
 * at least this, so with less traffic it takes more than `floor × threshold` errors (5) to fire.
 */
export const ERROR_RATIO_MIN_REQUESTS = 100;

/**
 * Errors as the dashboards count them (`errorQueries`: faults plus 5xx responses) over the
 * requests, the requests floored at `ERROR_RATIO_MIN_REQUESTS` (`clamp_min`).
 */
const errorRatio = (): MonitorSpec => {
  const { faults, fivexx, requests } = errorQueries(none, ['api']);
  const threshold = ERROR_RATIO_PERCENT / 100;
  const errors = `default_zero(${faults.query}) + default_zero(${fivexx.query})`;
  return {
    key: 'api-error-ratio',
    name: '[gax] High error ratio on API {{api.name}}',
    query: `sum(${WINDOW}):(${errors}) / clamp_min(${requests.query}, ${ERROR_RATIO_MIN_REQUESTS}) > ${threshold}`,
    fires: `more than ${ERROR_RATIO_PERCENT} % of an API's requests in 10 minutes were errors (faults or 5xx responses), counted over at least ${ERROR_RATIO_MIN_REQUESTS} requests: with less traffic it takes more than ${(ERROR_RATIO_MIN_REQUESTS * ERROR_RATIO_PERCENT) / 100} errors`,
    runbook: 'apimhigherrorratio',
    message: [
      '{{#is_alert}}The error ratio (faults plus 5xx responses) of API {{api.name}} was {{value}} over the last 10 minutes (threshold {{threshold}}).{{/is_alert}}',
      '{{#is_recovery}}The error ratio of API {{api.name}} is back under {{threshold}}.{{/is_recovery}}',
      '',
      `What to check: the "[gax] Errors" dashboard with \`api:{{api.name}}\` (its error ratio is this one). Faults by category (\`error_type\`) tell which: AUTH (client credentials), THROTTLED (quota reached; consider leaving throttling out), TARGET_CONNECTIVITY (backend down or slow: check its health), OTHER (mediation, policies); \`error_code\` narrows it down. 5xx responses without a fault come from the backend: check its logs. With fewer than ${ERROR_RATIO_MIN_REQUESTS} requests in the window the ratio is taken over ${ERROR_RATIO_MIN_REQUESTS}, so a single error on a quiet API does not fire.`,
    ].join('\n'),
    options: {
      thresholds: { critical: threshold },
      notify_no_data: false,
      require_full_window: false,
      evaluation_delay: 60,
      include_tags: true,
    },
  };
};

const latencyP99 = (): MonitorSpec => ({
  key: 'api-latency-p99',
  name: '[gax] p99 latency above SLO on API {{api.name}}',
  query: `percentile(${WINDOW}):${percentileOf(none, 'p99', 'latency.response', { by: ['api'] }).query} > ${LATENCY_SLO_MS}`,
  fires: `an API's p99 gateway latency over 10 minutes is above ${LATENCY_SLO_MS} ms`,
  runbook: 'apimlatencyp99aboveslo',
  message: [
    '{{#is_alert}}The p99 gateway latency of API {{api.name}} was {{value}} ms over the last 10 minutes (SLO {{threshold}} ms).{{/is_alert}}',
    '{{#is_recovery}}The p99 gateway latency of API {{api.name}} is back under {{threshold}} ms.{{/is_recovery}}',
    '',
    'What to check: the "[gax] Latency" dashboard with `api:{{api.name}}`. If the backend p95 rose with the gateway\'s, the backend is slow; if only mediation grew, look at the gateway (policies, CPU, GC). Needs percentiles enabled on the `latency.response` distribution metric.',
  ].join('\n'),
  options: {
    thresholds: { critical: LATENCY_SLO_MS },
    notify_no_data: false,
    require_full_window: false,
    evaluation_delay: 60,
    include_tags: true,
  },
});

/** Minutes without any `requests` point before the no-data alert; 2× the evaluation window. */
export const NO_DATA_MINUTES = 20;

const noData = (): MonitorSpec => ({
  key: 'exporter-no-data',
  name: '[gax] No data from the exporter ({{env.name}} {{service.name}})',
  query: `sum(${WINDOW}):${countOf(none, 'requests', { by: ['env', 'service'] }).query} < 0`,
  fires: `no \`requests\` point arrived for ${NO_DATA_MINUTES} minutes (per \`env\`/\`service\`); the value condition never fires`,
  runbook: 'datadog-no-data-from-gax',
  message: [
    `{{#is_no_data}}No request metrics from gax for env {{env.name}}, service {{service.name}} for ${NO_DATA_MINUTES} minutes.{{/is_no_data}}`,
    '{{#is_no_data_recovery}}Request metrics from gax for env {{env.name}}, service {{service.name}} arrive again.{{/is_no_data_recovery}}',
    '',
    'Either the gateway had no traffic, or gax does not deliver. What to check: that gax runs (its `/healthz`, `systemctl status gax` or the pod); `gax_plugin_up{plugin="datadog"}` and `gax_input_lag_seconds` on its `/metrics`; the daemon log for Datadog delivery errors (403: API key, or `site`/`url` of another Datadog site); `gax_events_dead_lettered_total` (events older than an hour are refused by Datadog).',
  ].join('\n'),
  options: {
    thresholds: { critical: 0 },
    notify_no_data: true,
    no_data_timeframe: NO_DATA_MINUTES,
    require_full_window: false,
    include_tags: true,
  },
});

export const MONITOR_SPECS: readonly MonitorSpec[] = [errorRatio(), latencyP99(), noData()];

/** The body of `POST /api/v1/monitor`. */
export function buildMonitor(spec: MonitorSpec): Json {
  return {
    name: spec.name,
    type: 'query alert',
    query: spec.query,
    message: `${spec.message}\n\nRunbook: ${RUNBOOKS}#${spec.runbook} in the gax documentation.\n\n${FOOTER}`,
    tags: [MANAGED_BY_TAG, monitorKeyTag(spec.key)],
    options: spec.options,
  };
}
