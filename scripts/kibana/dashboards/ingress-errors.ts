import { DASHBOARDS } from '../catalog.js';
import { dateHistogram, filters, metric, terms } from '../columns.js';
import { type DashboardSpec, panel } from '../dashboard.js';
import { ALL_EVENTS, FAULTS } from '../data-views.js';
import { count } from '../formula.js';
import { heatmapLens, tableLens, xyLens } from '../lens.js';
import { lensId } from './common.js';
import { errorsByCategory } from './errors-common.js';

const REASON_ROWS = [
  terms('errorType.keyword', 5, 'Category', { other: false }),
  terms('errorMessage.keyword', 10, 'Reason', { other: false }),
  terms('errorCode', 10, 'Error code', { other: false }),
];

/** Ingress Errors (WSO2 "Error") plus the top error reasons WSO2 does not show. */
export const ingressErrors: DashboardSpec = {
  entry: DASHBOARDS.ingressErrors,
  description: 'Faults by category, status code, API and reason (errorType × errorMessage × errorCode).',
  rows: [
    [panel(errorsByCategory(lensId('errors-by-category'), FAULTS), 24, 13), panel(statusCodes(), 24, 13)],
    [
      panel(
        tableLens({
          id: lensId('top-error-reasons'),
          title: 'Top Error Reasons',
          description: 'Faulty events per category (errorType), reason (errorMessage) and errorCode.',
          dataView: FAULTS,
          rows: REASON_ROWS,
          metrics: [metric('Errors', count())],
        }),
        24,
        14,
      ),
      panel(
        xyLens({
          id: lensId('top-error-reasons-bar'),
          title: 'Top Error Reasons by Category',
          description: 'The 10 most frequent errorMessage values, split by errorType.',
          dataView: FAULTS,
          series: 'bar_horizontal_stacked',
          x: terms('errorMessage.keyword', 10, 'Reason'),
          split: terms('errorType.keyword', 5, 'Category'),
          y: [metric('Errors', count())],
        }),
        24,
        14,
      ),
    ],
    [
      panel(
        heatmapLens({
          id: lensId('proxy-errors-heatmap'),
          title: 'Proxy Errors',
          description: 'Faulty events per API (top 5) and proxyResponseCode.',
          dataView: FAULTS,
          x: terms('apiName.keyword', 5, 'API'),
          y: terms('proxyResponseCode', 10, 'Proxy status'),
          value: metric('Errors', count()),
        }),
        24,
      ),
      panel(
        heatmapLens({
          id: lensId('target-errors-heatmap'),
          title: 'Target Errors',
          description: 'Backend 4xx/5xx (targetResponseCode >= 400, response events) per API and code.',
          dataView: ALL_EVENTS,
          query: 'targetResponseCode >= 400',
          x: terms('apiName.keyword', 5, 'API'),
          y: terms('targetResponseCode', 10, 'Target status'),
          value: metric('Errors', count()),
        }),
        24,
      ),
    ],
    [
      panel(
        tableLens({
          id: lensId('errors-by-category-table'),
          title: 'Errors By Category per Day',
          description: 'Faulty events per day, API and category.',
          dataView: FAULTS,
          rows: [
            dateHistogram('1d'),
            terms('apiName.keyword', 10, 'API', { other: false }),
            terms('errorType.keyword', 5, 'Reason', { other: false }),
          ],
          metrics: [metric('Count', count())],
        }),
        48,
        14,
      ),
    ],
  ],
};

function statusCodes() {
  const code = (field: string, lo: number, hi?: number) =>
    hi === undefined ? `${field} >= ${lo}` : `${field} >= ${lo} and ${field} < ${hi}`;
  return xyLens({
    id: lensId('errors-by-status-code'),
    title: 'Error by Status Code',
    description:
      'Client-facing (proxy) and backend (target) 4xx/5xx over time, all events. Faults have targetResponseCode -1, so target codes come from response events.',
    dataView: ALL_EVENTS,
    series: 'line',
    x: dateHistogram(),
    split: filters('Status', [
      { label: '4xx (target)', kql: code('targetResponseCode', 400, 500) },
      { label: '5xx (target)', kql: code('targetResponseCode', 500) },
      { label: '4xx (proxy)', kql: code('proxyResponseCode', 400, 500) },
      { label: '5xx (proxy)', kql: code('proxyResponseCode', 500) },
      { label: 'Total (proxy)', kql: code('proxyResponseCode', 400) },
      { label: 'Total (target)', kql: code('targetResponseCode', 400) },
    ]),
    y: [metric('Errors', count())],
  });
}
