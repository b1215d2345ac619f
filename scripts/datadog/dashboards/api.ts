import {
  backendPercentiles,
  cacheHitValue,
  errorRatioChart,
  errorRatioValue,
  faultsByType,
  gatewayVsBackend,
  p95Value,
  requestRateValue,
  requestsByStatus,
  responsePercentiles,
} from '../common.js';
import type { DashboardSpec } from '../dashboard.js';
import { countOf, ENV_VARS, histogramOf, rateOf, type TemplateVar } from '../query.js';
import { distribution, table, timeseries } from '../widgets.js';

const vars: readonly TemplateVar[] = [
  { name: 'api', tag: 'api' },
  { name: 'api_version', tag: 'api_version' },
  ...ENV_VARS,
];

export const api: DashboardSpec = {
  key: 'api',
  title: '[gax] API drill-down',
  summary:
    'One API (pick it with the `api` and `api_version` variables): traffic, errors, latency and its resources.',
  vars,
  groups: [
    {
      title: 'Summary',
      widgets: [requestRateValue(vars), errorRatioValue(vars), p95Value(vars), cacheHitValue(vars)],
    },
    {
      title: 'Traffic and errors',
      widgets: [
        requestsByStatus(vars),
        timeseries({
          title: 'Requests / s by API version',
          description: 'Requests per second by `api_version`.',
          queries: { requests: rateOf(vars, 'requests', { by: ['api_version'] }) },
          formulas: [{ formula: 'requests' }],
        }),
        faultsByType(vars),
        errorRatioChart(vars),
      ],
    },
    {
      title: 'Latency',
      widgets: [
        responsePercentiles(vars),
        gatewayVsBackend(vars),
        backendPercentiles(vars),
        distribution({
          title: 'Gateway latency distribution',
          description: 'Every `latency.response` value of the selected API in the time frame, ms.',
          query: histogramOf(vars, 'latency.response'),
        }),
      ],
    },
    {
      title: 'Resources',
      widgets: [
        table({
          title: 'Resources',
          description:
            'Requests and 5xx responses per HTTP method and resource (URL template) in the time frame. Needs the `method` and `resource` tags on `requests` (on by default).',
          queries: {
            requests: countOf(vars, 'requests', { by: ['method', 'resource'] }),
            fivexx: countOf(vars, 'requests', {
              filter: ['event_type:response', 'status_code:5*'],
              by: ['method', 'resource'],
            }),
          },
          formulas: [
            { formula: 'requests', alias: 'requests' },
            { formula: 'default_zero(fivexx)', alias: '5xx' },
            { formula: '100 * default_zero(fivexx) / requests', alias: '5xx %' },
          ],
        }),
      ],
    },
  ],
};
