import { DASHBOARDS } from '../catalog.js';
import { dateHistogram, INTEGER, metric, terms } from '../columns.js';
import { type DashboardSpec, panel } from '../dashboard.js';
import { RESPONSES } from '../data-views.js';
import { agg, count, div } from '../formula.js';
import { pieLens, tableLens, xyLens } from '../lens.js';
import { KQL, lensId, MODEL, TOKENS } from './common.js';
import { tokensByVendorModel, VENDOR_TERMS } from './egress-common.js';

const base = { dataView: RESPONSES, query: KQL.egress } as const;
const sum = (label: string, field: string) => metric(label, agg('sum', field), INTEGER);

/** Egress (AI) Traffic: calls, vendors, models and tokens. */
export const egressTraffic: DashboardSpec = {
  entry: DASHBOARDS.egressTraffic,
  description: 'AI API calls and token usage by vendor and model (properties.aiMetadata.*).',
  rows: [
    [
      panel(
        xyLens({
          ...base,
          id: lensId('egress-request-summary'),
          title: 'AI API Request Summary',
          description: 'Egress response events with a backend status (targetResponseCode >= 200) over time.',
          series: 'line',
          x: dateHistogram(),
          y: [metric('Requests', count('targetResponseCode >= 200'))],
        }),
        30,
      ),
      panel(
        pieLens({
          ...base,
          id: lensId('vendor-usage'),
          title: 'Vendor Usage',
          description: 'Egress calls by the top 5 AI vendors.',
          shape: 'donut',
          groups: [VENDOR_TERMS],
          metric: metric('Calls', count()),
        }),
        18,
      ),
    ],
    [
      panel(
        xyLens({
          ...base,
          id: lensId('token-usage-over-time'),
          title: 'Token Usage Over Time',
          description: 'Sums of total, prompt and completion tokens over time.',
          series: 'line',
          x: dateHistogram(),
          y: [
            sum('Total tokens', TOKENS.total),
            sum('Prompt tokens', TOKENS.prompt),
            sum('Completion tokens', TOKENS.completion),
          ],
        }),
        30,
      ),
      panel(tokensByVendorModel, 18),
    ],
    [
      panel(
        xyLens({
          ...base,
          id: lensId('avg-tokens-by-vendor'),
          title: 'Average Token Count by Vendor',
          description: 'Average prompt and completion tokens per call, top 5 vendors.',
          series: 'bar_horizontal',
          x: VENDOR_TERMS,
          y: [
            metric('Average prompt tokens', agg('average', TOKENS.prompt), INTEGER),
            metric('Average completion tokens', agg('average', TOKENS.completion), INTEGER),
          ],
        }),
        18,
        14,
      ),
      panel(
        tableLens({
          ...base,
          id: lensId('vendor-summary'),
          title: 'Vendor Summary',
          description: 'Per vendor: distinct resources called, calls and average backendLatency (ms).',
          rows: [terms(VENDOR_TERMS.field, 10, 'Vendor', { other: false, rankBy: 1 })],
          metrics: [
            metric('Total endpoints', agg('unique_count', 'apiResourceTemplate.keyword')),
            metric('Total API calls', count()),
            metric('Average latency (ms)', agg('average', 'backendLatency'), INTEGER),
          ],
          sortBy: 1,
        }),
        30,
        14,
      ),
    ],
    [
      panel(
        tableLens({
          ...base,
          id: lensId('model-summary'),
          title: 'Token Usage by Model',
          description: 'Per vendor and model: calls, token sums and average total tokens per call.',
          rows: [
            terms(VENDOR_TERMS.field, 10, 'Vendor', { other: false }),
            terms(MODEL, 10, 'Model', { other: false }),
          ],
          metrics: [
            metric('Calls', count()),
            sum('Prompt tokens', TOKENS.prompt),
            sum('Completion tokens', TOKENS.completion),
            sum('Total tokens', TOKENS.total),
            metric('Tokens per call', div(agg('sum', TOKENS.total), count()), INTEGER),
          ],
          sortBy: 3,
        }),
        48,
        14,
      ),
    ],
  ],
};
