import { DASHBOARDS } from '../catalog.js';
import { dateHistogram, INTEGER, metric, terms } from '../columns.js';
import { type DashboardSpec, panel } from '../dashboard.js';
import { RESPONSES } from '../data-views.js';
import { agg, count, percentile } from '../formula.js';
import { tableLens, xyLens } from '../lens.js';
import { KQL, lensId, MODEL } from './common.js';
import { VENDOR_TERMS } from './egress-common.js';

const base = { dataView: RESPONSES, query: KQL.egress } as const;

/** Egress (AI) Latency: gateway and backend latency of AI APIs, by vendor and model. */
export const egressLatency: DashboardSpec = {
  entry: DASHBOARDS.egressLatency,
  description: 'Latency of AI (egress) calls; both series filtered to egress (WSO2 filters only the median).',
  rows: [
    [
      panel(
        xyLens({
          ...base,
          id: lensId('egress-latency'),
          title: 'AI API Latency (ms)',
          description: 'Median and 95th percentile of responseLatency (ms) of egress calls.',
          series: 'line',
          x: dateHistogram(),
          y: [
            metric('Median', agg('median', 'responseLatency'), INTEGER),
            metric('95th percentile', percentile('responseLatency', 95), INTEGER),
          ],
        }),
        24,
      ),
      panel(
        xyLens({
          ...base,
          id: lensId('egress-backend-latency'),
          title: 'AI Backend Latency (ms)',
          description:
            'p50, p95 and p99 of backendLatency (ms, time spent at the AI vendor) of egress calls.',
          series: 'line',
          x: dateHistogram(),
          y: [50, 95, 99].map((n) => metric(`p${n}`, percentile('backendLatency', n), INTEGER)),
        }),
        24,
      ),
    ],
    [
      panel(
        tableLens({
          ...base,
          id: lensId('latency-by-model'),
          title: 'Latency by Vendor and Model',
          description: 'Calls and backendLatency (ms) per vendor and model.',
          rows: [
            terms(VENDOR_TERMS.field, 10, 'Vendor', { other: false }),
            terms(MODEL, 10, 'Model', { other: false }),
          ],
          metrics: [
            metric('Calls', count()),
            metric('Average (ms)', agg('average', 'backendLatency'), INTEGER),
            metric('p95 (ms)', percentile('backendLatency', 95), INTEGER),
          ],
          sortBy: 2,
        }),
        48,
        14,
      ),
    ],
  ],
};
