/** Queries and widgets several dashboards share. */
import { countOf, type MetricQuery, percentileOf, rateOf, type TagOf, type TemplateVar } from './query.js';
import { type Formula, type Queries, queryValue, timeseries, type Widget } from './widgets.js';

/** Tags both `requests` and `errors` carry: what an error ratio can be grouped by. */
type RatioTag = TagOf<'requests'> & TagOf<'errors'>;

/** Latency SLO line on latency charts and the p99 monitor's threshold, ms. */
export const LATENCY_SLO_MS = 1000;
/** Error ratio line on charts and the monitor's threshold, %. */
export const ERROR_RATIO_PERCENT = 5;

/**
 * An "error" is a gateway fault (faulty event, `errors`) or a response with a 5xx status, as in
 * the Prometheus rules; 4xx responses are not errors.
 */
export function errorQueries(
  vars: readonly TemplateVar[],
  by: readonly RatioTag[] = [],
): Queries & Record<'faults' | 'fivexx' | 'requests', MetricQuery> {
  return {
    faults: countOf(vars, 'errors', { by }),
    fivexx: countOf(vars, 'requests', { filter: ['event_type:response', 'status_code:5*'], by }),
    requests: countOf(vars, 'requests', { by }),
  };
}

export const ERROR_RATIO: Formula = {
  formula: '100 * (default_zero(faults) + default_zero(fivexx)) / requests',
  alias: 'error %',
};

const ERROR_RATIO_TEXT =
  'Faults (`errors`) plus 5xx responses (`requests` with `event_type:response`, `status_code:5*`) over all requests, %.';

export function errorRatioValue(vars: readonly TemplateVar[]): Widget {
  return queryValue({
    title: 'Error ratio',
    description: `${ERROR_RATIO_TEXT} Red above ${ERROR_RATIO_PERCENT} %.`,
    queries: errorQueries(vars),
    formula: ERROR_RATIO,
    unit: '%',
    redAbove: ERROR_RATIO_PERCENT,
  });
}

export function errorRatioChart(vars: readonly TemplateVar[], by: readonly RatioTag[] = []): Widget {
  const split = by.length === 0 ? '' : ` by ${by.join(', ')}`;
  return timeseries({
    title: `Error ratio${split}`,
    description: `${ERROR_RATIO_TEXT} The dashed line is ${ERROR_RATIO_PERCENT} %, the error-ratio monitor's threshold.`,
    queries: errorQueries(vars, by),
    formulas: [ERROR_RATIO],
    markers: [{ value: `y = ${ERROR_RATIO_PERCENT}`, label: `${ERROR_RATIO_PERCENT} %` }],
  });
}

export function requestRateValue(vars: readonly TemplateVar[]): Widget {
  return queryValue({
    title: 'Requests / s',
    description: 'Requests (response and faulty events) per second, averaged over the time frame.',
    queries: { requests: rateOf(vars, 'requests') },
    formula: { formula: 'requests' },
    unit: 'req/s',
    precision: 1,
  });
}

export function p95Value(vars: readonly TemplateVar[]): Widget {
  return queryValue({
    title: 'p95 gateway latency',
    description: `95th percentile of \`latency.response\` over the whole time frame, ms. Red above ${LATENCY_SLO_MS} ms.`,
    queries: { p95: percentileOf(vars, 'p95', 'latency.response') },
    formula: { formula: 'p95' },
    unit: 'ms',
    precision: 0,
    redAbove: LATENCY_SLO_MS,
  });
}

export function cacheHitValue(vars: readonly TemplateVar[]): Widget {
  return queryValue({
    title: 'Cache hit ratio',
    description: 'Requests answered from the gateway response cache (`cache_hits`) over response events, %.',
    queries: {
      hits: countOf(vars, 'cache_hits'),
      responses: countOf(vars, 'requests', { filter: ['event_type:response'] }),
    },
    formula: { formula: '100 * default_zero(hits) / responses', alias: 'cache hit %' },
    unit: '%',
    precision: 1,
  });
}

export function requestsByStatus(vars: readonly TemplateVar[]): Widget {
  return timeseries({
    title: 'Requests / s by status code',
    description: 'Requests per second by gateway status code (`status_code`).',
    queries: { requests: rateOf(vars, 'requests', { by: ['status_code'] }) },
    formulas: [{ formula: 'requests' }],
  });
}

export function responsePercentiles(vars: readonly TemplateVar[]): Widget {
  return timeseries({
    title: 'Gateway latency p50 / p95 / p99',
    description: `Percentiles of \`latency.response\` (total gateway time per request), ms; the dashed line is ${LATENCY_SLO_MS} ms, the p99 monitor's threshold.`,
    queries: {
      p50: percentileOf(vars, 'p50', 'latency.response'),
      p95: percentileOf(vars, 'p95', 'latency.response'),
      p99: percentileOf(vars, 'p99', 'latency.response'),
    },
    formulas: [
      { formula: 'p50', alias: 'p50' },
      { formula: 'p95', alias: 'p95' },
      { formula: 'p99', alias: 'p99' },
    ],
    markers: [{ value: `y = ${LATENCY_SLO_MS}`, label: 'SLO' }],
  });
}

export function backendPercentiles(vars: readonly TemplateVar[]): Widget {
  return timeseries({
    title: 'Backend latency p50 / p95 / p99',
    description: 'Percentiles of `latency.backend` (time the backend took; cache hits have none), ms.',
    queries: {
      p50: percentileOf(vars, 'p50', 'latency.backend'),
      p95: percentileOf(vars, 'p95', 'latency.backend'),
      p99: percentileOf(vars, 'p99', 'latency.backend'),
    },
    formulas: [
      { formula: 'p50', alias: 'p50' },
      { formula: 'p95', alias: 'p95' },
      { formula: 'p99', alias: 'p99' },
    ],
  });
}

export function gatewayVsBackend(vars: readonly TemplateVar[]): Widget {
  return timeseries({
    title: 'Gateway vs backend latency (p95)',
    description:
      'p95 of `latency.response` (gateway total) and of `latency.backend` (backend only; cache hits have none), ms. A gap that grows points at the gateway, parallel lines at the backend.',
    queries: {
      gateway: percentileOf(vars, 'p95', 'latency.response'),
      backend: percentileOf(vars, 'p95', 'latency.backend'),
    },
    formulas: [
      { formula: 'gateway', alias: 'gateway p95' },
      { formula: 'backend', alias: 'backend p95' },
    ],
  });
}

export function mediationByDirection(vars: readonly TemplateVar[]): Widget {
  return timeseries({
    title: 'Mediation latency p95 by direction',
    description:
      'p95 of `latency.mediation` by `direction` (request or response mediation), ms, of all APIs: `latency.mediation` has no `api` tag by default.',
    queries: { mediation: percentileOf(vars, 'p95', 'latency.mediation', { by: ['direction'] }) },
    formulas: [{ formula: 'mediation' }],
  });
}

export function faultsByType(vars: readonly TemplateVar[]): Widget {
  return timeseries({
    title: 'Faults by category',
    description:
      'Gateway faults per interval by `error_type` (AUTH, THROTTLED, TARGET_CONNECTIVITY, OTHER, GUARDRAIL_FAULT, …).',
    queries: { faults: countOf(vars, 'errors', { by: ['error_type'] }) },
    formulas: [{ formula: 'faults' }],
    display: 'bars',
  });
}
