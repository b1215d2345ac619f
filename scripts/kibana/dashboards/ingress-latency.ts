import { DASHBOARDS } from '../catalog.js';
import { dateHistogram, INTEGER, type Metric, metric, terms } from '../columns.js';
import { type DashboardSpec, panel } from '../dashboard.js';
import { RESPONSES } from '../data-views.js';
import { agg, count, percentile } from '../formula.js';
import { tableLens, xyLens } from '../lens.js';
import type { SavedObject } from '../saved-object.js';
import { lensId } from './common.js';

const p = (field: string, n: number, label: string): Metric => metric(label, percentile(field, n), INTEGER);

function overTime(slug: string, title: string, field: string, metrics: Metric[]): SavedObject {
  return xyLens({
    id: lensId(slug),
    title,
    description: `${metrics.map((m) => m.label).join(', ')} of ${field} (ms) over time.`,
    dataView: RESPONSES,
    series: 'line',
    x: dateHistogram(),
    y: metrics,
  });
}

const pcts = (field: string) => [p(field, 50, 'p50'), p(field, 95, 'p95'), p(field, 99, 'p99')];
const medianP95 = (field: string) => [
  metric('Median', agg('median', field), INTEGER),
  p(field, 95, '95th percentile'),
];

/** Ingress Latency: WSO2's latency panels, with p50/p95/p99 for gateway and backend latency. */
export const ingressLatency: DashboardSpec = {
  entry: DASHBOARDS.ingressLatency,
  description: 'Slowest APIs; gateway, backend and mediation latency percentiles over time (ms).',
  rows: [
    [
      panel(
        xyLens({
          id: lensId('slowest-apis'),
          title: 'Top 10 Slowest APIs',
          description: 'The 10 APIs with the highest average responseLatency (ms).',
          dataView: RESPONSES,
          series: 'bar_horizontal',
          x: terms('apiName.keyword', 10, 'API', { other: false }),
          y: [metric('Average latency (ms)', agg('average', 'responseLatency'), INTEGER)],
        }),
        20,
        14,
      ),
      panel(
        tableLens({
          id: lensId('latency-by-api'),
          title: 'Latency by API',
          description: 'Requests and responseLatency statistics (ms) of the 20 busiest APIs, sorted by p95.',
          dataView: RESPONSES,
          rows: [terms('apiName.keyword', 20, 'API', { other: false })],
          metrics: [
            metric('Requests', count()),
            metric('Average (ms)', agg('average', 'responseLatency'), INTEGER),
            ...pcts('responseLatency'),
          ],
          sortBy: 3,
        }),
        28,
        14,
      ),
    ],
    [
      panel(
        overTime(
          'gateway-latency-percentiles',
          'Total Latency (ms)',
          'responseLatency',
          pcts('responseLatency'),
        ),
        24,
      ),
      panel(
        overTime(
          'backend-latency-percentiles',
          'Target Latency (ms)',
          'backendLatency',
          pcts('backendLatency'),
        ),
        24,
      ),
    ],
    [
      panel(
        overTime(
          'request-mediation-latency',
          'Request Mediation Latency (ms)',
          'requestMediationLatency',
          medianP95('requestMediationLatency'),
        ),
        24,
      ),
      panel(
        overTime(
          'response-mediation-latency',
          'Response Mediation Latency (ms)',
          'responseMediationLatency',
          medianP95('responseMediationLatency'),
        ),
        24,
      ),
    ],
  ],
};
