import {
  cacheHitValue,
  errorQueries,
  errorRatioChart,
  errorRatioValue,
  gatewayVsBackend,
  p95Value,
  requestRateValue,
  requestsByStatus,
  responsePercentiles,
} from '../common.js';
import type { DashboardSpec } from '../dashboard.js';
import { countOf, ENV_VARS, percentileOf } from '../query.js';
import { table, toplist } from '../widgets.js';

const vars = ENV_VARS;

export const overview: DashboardSpec = {
  key: 'overview',
  title: '[gax] Overview',
  summary:
    'WSO2 API gateway traffic at a glance: requests per second, error ratio, gateway latency percentiles and the busiest and most failing APIs.',
  vars,
  groups: [
    {
      title: 'Traffic and errors',
      widgets: [
        requestRateValue(vars),
        errorRatioValue(vars),
        p95Value(vars),
        cacheHitValue(vars),
        requestsByStatus(vars),
        errorRatioChart(vars),
      ],
    },
    { title: 'Latency', widgets: [responsePercentiles(vars), gatewayVsBackend(vars)] },
    {
      title: 'APIs',
      widgets: [
        toplist({
          title: 'Top APIs by requests',
          description: 'The 10 APIs with the most requests in the time frame.',
          queries: { requests: countOf(vars, 'requests', { by: ['api'] }) },
          formula: { formula: 'requests', alias: 'requests' },
        }),
        toplist({
          title: 'Top APIs by faults',
          description: 'The 10 APIs with the most gateway faults (`errors`) in the time frame.',
          queries: { faults: countOf(vars, 'errors', { by: ['api'] }) },
          formula: { formula: 'faults', alias: 'faults' },
        }),
        table({
          title: 'APIs',
          description:
            'Per API and version: requests, error ratio (faults and 5xx over requests, %) and p95 gateway latency (ms) over the time frame.',
          queries: {
            ...errorQueries(vars, ['api', 'api_version']),
            p95: percentileOf(vars, 'p95', 'latency.response', { by: ['api', 'api_version'] }),
          },
          formulas: [
            { formula: 'requests', alias: 'requests' },
            { formula: '100 * (default_zero(faults) + default_zero(fivexx)) / requests', alias: 'error %' },
            { formula: 'p95', alias: 'p95 ms' },
          ],
        }),
      ],
    },
  ],
};
